package dev.paws.backend.failover;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class AwaitingLeaderDataSourceTests {

	private final DataSource target = mock(DataSource.class);

	private final Connection connection = mock(Connection.class);

	private AwaitingLeaderDataSource awaiting(Duration patience) {
		return new AwaitingLeaderDataSource(this.target, Duration.ofMillis(10), patience);
	}

	@Test
	void opensOnTheFirstTryWhenTheLeaderAnswers() throws SQLException {
		given(this.target.getConnection()).willReturn(this.connection);
		assertThat(awaiting(Duration.ofSeconds(1)).getConnection()).isSameAs(this.connection);
	}

	@Test
	void waitsThroughConnectionFailuresUntilTheNewLeaderAnswers() throws SQLException {
		AtomicInteger tries = new AtomicInteger();
		Connection opened = awaiting(Duration.ofSeconds(5)).await(() -> {
			if (tries.incrementAndGet() < 4) {
				throw new SQLException("The connection attempt failed.", "08001");
			}
			return this.connection;
		});
		assertThat(opened).isSameAs(this.connection);
		assertThat(tries).hasValue(4);
	}

	@Test
	void aFailureThatIsNotTransientIsThrownAtOnce() {
		AtomicInteger tries = new AtomicInteger();
		assertThatThrownBy(() -> awaiting(Duration.ofSeconds(5)).await(() -> {
			tries.incrementAndGet();
			throw new SQLException("password authentication failed for user \"app\"", "28P01");
		})).isInstanceOf(SQLException.class).hasMessageContaining("password");
		assertThat(tries).hasValue(1);
	}

	@Test
	void givesUpWithTheLastFailureAfterItsPatience() {
		long began = System.nanoTime();
		assertThatThrownBy(() -> awaiting(Duration.ofMillis(100)).await(() -> {
			throw new SQLException("Connection refused", "08001");
		})).isInstanceOf(SQLException.class).hasMessageContaining("refused");
		assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(2));
	}

	@Test
	void passesTheCredentialsThrough() throws SQLException {
		given(this.target.getConnection("app", "secret")).willReturn(this.connection);
		assertThat(awaiting(Duration.ofSeconds(1)).getConnection("app", "secret")).isSameAs(this.connection);
	}

	@Test
	void refusesANonPositiveInterval() {
		assertThatThrownBy(() -> new AwaitingLeaderDataSource(this.target, Duration.ZERO, Duration.ofSeconds(1)))
			.isInstanceOf(IllegalArgumentException.class);
	}

}
