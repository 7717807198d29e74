package dev.paws.backend.visits;

import java.time.Duration;
import java.util.List;

import dev.paws.backend.failover.FailoverRetry;
import dev.paws.backend.failover.RetryProperties;
import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ValueOperations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

class RedisVisitCounterTests {

	private static final RetryProperties FAST = new RetryProperties(Duration.ofSeconds(30), Duration.ofMillis(1),
			Duration.ofMillis(5), 2.0);

	@SuppressWarnings("unchecked")
	private final ValueOperations<String, String> values = mock(ValueOperations.class);

	private final RedisVisitCounter counter = new RedisVisitCounter(redis(this.values), new FailoverRetry(FAST, List.of()));

	@Test
	void incrementsOneKey() {
		given(this.values.increment(RedisVisitCounter.KEY)).willReturn(1L);
		assertThat(this.counter.increment()).isEqualTo(1L);
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void logsEachCallBecauseRedisCannotCarryTheTraceId(CapturedOutput output) {
		given(this.values.increment(RedisVisitCounter.KEY)).willReturn(41L, 42L);
		this.counter.increment();
		this.counter.increment();
		assertThat(output).contains("redis INCR paws:visits -> 41").contains("redis INCR paws:visits -> 42");
	}

	@Test
	void keepsCountingWhileSentinelPromotesANewMaster() {
		given(this.values.increment(RedisVisitCounter.KEY))
			.willThrow(new RedisConnectionFailureException("Redis connection failed"))
			.willThrow(new RedisSystemException("Error in execution",
					new RedisCommandExecutionException("READONLY You can't write against a read only replica.")))
			.willReturn(7L);
		assertThat(this.counter.increment()).isEqualTo(7L);
		verify(this.values, times(3)).increment(RedisVisitCounter.KEY);
	}

	private static StringRedisTemplate redis(ValueOperations<String, String> values) {
		StringRedisTemplate redis = mock(StringRedisTemplate.class);
		given(redis.opsForValue()).willReturn(values);
		return redis;
	}

}
