package dev.paws.backend.failover;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.retry.support.MetricsRetryListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FailoverRetryTests {

	private static final RetryProperties FAST = new RetryProperties(Duration.ofMillis(300), Duration.ofMillis(5),
			Duration.ofMillis(20), 2.0);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final FailoverRetry retry = failoverRetry(FAST);

	@Test
	void retriesTransientFailuresUntilTheDependencyAnswers() {
		AtomicInteger tries = new AtomicInteger();
		String answer = this.retry.call("postgres", () -> {
			if (tries.incrementAndGet() < 4) {
				throw leaderGone();
			}
			return "stored";
		});
		assertThat(answer).isEqualTo("stored");
		assertThat(tries).hasValue(4);
	}

	@Test
	void doesNotRetryAFailureThatWouldRepeat() {
		AtomicInteger tries = new AtomicInteger();
		IllegalArgumentException bad = new IllegalArgumentException("bad input");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.retry.call("postgres", () -> {
			tries.incrementAndGet();
			throw bad;
		})).isSameAs(bad);
		assertThat(tries).hasValue(1);
	}

	@Test
	void answersServiceUnavailableOnceTheDeadlinePasses() {
		AtomicInteger tries = new AtomicInteger();
		long started = System.nanoTime();
		assertThatExceptionOfType(DependencyUnavailableException.class).isThrownBy(() -> this.retry.call("redis", () -> {
			tries.incrementAndGet();
			throw leaderGone();
		})).satisfies((unavailable) -> {
			assertThat(unavailable.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(unavailable.getBody().getProperties()).containsEntry("dependency", "redis");
			assertThat(unavailable.getHeaders().getFirst("Retry-After")).isEqualTo("1");
			assertThat(unavailable.getCause()).isInstanceOf(UncategorizedSQLException.class);
		});
		Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
		assertThat(elapsed).isGreaterThanOrEqualTo(FAST.deadline()).isLessThan(FAST.deadline().plusSeconds(2));
		assertThat(tries.get()).isGreaterThan(3);
	}

	@Test
	void spacesTriesWithGrowingJitteredPauses() {
		RetryProperties slow = new RetryProperties(Duration.ofMillis(400), Duration.ofMillis(50), Duration.ofMillis(100),
				2.0);
		AtomicInteger tries = new AtomicInteger();
		assertThatExceptionOfType(DependencyUnavailableException.class).isThrownBy(() -> failoverRetry(slow).call("postgres", () -> {
			tries.incrementAndGet();
			throw leaderGone();
		}));
		// Pauses of 50..100 ms, then 100 ms each, within 400 ms: a handful of tries, not hundreds.
		assertThat(tries.get()).isBetween(3, 9);
	}

	@Test
	void recordsRetriedCallsInMetrics() {
		AtomicInteger tries = new AtomicInteger();
		this.retry.call("postgres", () -> {
			if (tries.incrementAndGet() < 3) {
				throw leaderGone();
			}
			return "ok";
		});
		assertThat(this.meters.find("spring.retry").tag("name", "postgres").tag("retry.count", "2").timer())
			.isNotNull()
			.satisfies((timer) -> assertThat(timer.count()).isEqualTo(1));
	}

	private FailoverRetry failoverRetry(RetryProperties properties) {
		return new FailoverRetry(properties, List.of(new MetricsRetryListener(this.meters)));
	}

	private static UncategorizedSQLException leaderGone() {
		return new UncategorizedSQLException("insert", "INSERT", new SQLException("terminating connection due to administrator command", "57P01"));
	}

}
