package dev.paws.backend.visits;

import dev.paws.backend.failover.FailoverRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The visit count in one Redis key, kept answering through a Sentinel failover.
 *
 * <p>INCR is retried like any other call. A try that timed out after the master applied it is
 * counted twice: a visit counter can bear that, a ledger could not.
 *
 * <p>Redis cannot carry a trace id with a command (it has no comment or tag per command), so each
 * call is logged here, in the request's trace: the log line is the Redis side of the trace.
 */
@Component
class RedisVisitCounter implements VisitCounter {

	static final String KEY = "paws:visits";

	static final String DEPENDENCY = "redis";

	private static final Logger logger = LoggerFactory.getLogger(RedisVisitCounter.class);

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
		logger.info("redis INCR {} -> {}", KEY, count);
		return count;
	}

}
