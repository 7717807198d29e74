package dev.paws.backend.visits;

import dev.paws.backend.failover.FailoverRetry;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The visit count in one Redis key, kept answering through a Sentinel failover.
 *
 * <p>INCR is retried like any other call. A try that timed out after the master applied it is
 * counted twice: a visit counter can bear that, a ledger could not.
 */
@Component
class RedisVisitCounter implements VisitCounter {

	static final String KEY = "paws:visits";

	static final String DEPENDENCY = "redis";

	private final StringRedisTemplate redis;

	private final FailoverRetry retry;

	RedisVisitCounter(StringRedisTemplate redis, FailoverRetry retry) {
		this.redis = redis;
		this.retry = retry;
	}

	@Override
	public long increment() {
		Long count = this.retry.call(DEPENDENCY, () -> this.redis.opsForValue().increment(KEY));
		if (count == null) {
			// Only a pipelined or transactional INCR answers null; this one is neither.
			throw new IllegalStateException("Redis INCR " + KEY + " returned no value");
		}
		return count;
	}

}
