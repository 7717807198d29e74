package dev.paws.backend.failover;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
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

	/** A 300 ms deadline. */
	private static final RetryProperties FAST = new RetryProperties(Duration.ofMillis(300), Duration.ofMillis(5),
			Duration.ofMillis(20), 2.0);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	/** Long deadline, no real pauses: counts of tries do not depend on how loaded the machine is. */
	private final FailoverRetry retry = new FailoverRetry(new RetryProperties(Duration.ofSeconds(30), Duration.ofMillis(5),
			Duration.ofMillis(20), 2.0), List.of(new MetricsRetryListener(this.meters)), (pause) -> {
			});

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
		FailoverRetry withoutPauses = new FailoverRetry(FAST, List.of(), (pause) -> Thread.sleep(1));
		long started = System.nanoTime();
		assertThatExceptionOfType(DependencyUnavailableException.class).isThrownBy(() -> withoutPauses.call("redis", () -> {
			tries.incrementAndGet();
			throw leaderGone();
		})).satisfies((unavailable) -> {
			assertThat(unavailable.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(unavailable.getBody().getProperties()).containsEntry("dependency", "redis");
			assertThat(unavailable.getHeaders().getFirst("Retry-After")).isEqualTo("1");
			assertThat(unavailable.getCause()).isInstanceOf(UncategorizedSQLException.class);
		});
		Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
		// Generous upper bound: the point is that it stops, on a machine that may be loaded.
		assertThat(elapsed).isGreaterThanOrEqualTo(FAST.deadline()).isLessThan(FAST.deadline().plusSeconds(10));
		assertThat(tries.get()).isGreaterThan(1);
	}

	@Test
	void spacesTriesWithGrowingJitteredPausesCappedAtTheMaximum() {
		RetryProperties slow = new RetryProperties(Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofMillis(1000),
				2.0);
		List<Long> pauses = new ArrayList<>();
		AtomicInteger tries = new AtomicInteger();
		new FailoverRetry(slow, List.of(), pauses::add).call("postgres", () -> {
			if (tries.incrementAndGet() <= 8) {
				throw leaderGone();
			}
			return "ok";
		});
		assertThat(pauses).hasSize(8);
		long base = 100;
		for (long pause : pauses) {
			assertThat(pause).isBetween(base, Math.min(1000, base * 2));
			base = Math.min(1000, base * 2);
		}
		assertThat(pauses.subList(4, 8)).containsOnly(1000L);
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

	private static UncategorizedSQLException leaderGone() {
		return new UncategorizedSQLException("insert", "INSERT", new SQLException("terminating connection due to administrator command", "57P01"));
	}

}
