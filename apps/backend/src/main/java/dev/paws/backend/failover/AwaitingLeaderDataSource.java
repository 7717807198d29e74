package dev.paws.backend.failover;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Opens a pool's connections, waiting through a failover instead of failing at once.
 *
 * <p>HikariCP spaces failed connection attempts by a backoff that doubles up to 5 s, a value it
 * hard-codes. While Patroni elects a new leader every attempt fails, so the pool meets the new
 * leader up to 5 s after HAProxy routes it, and every request waiting on the pool waits with it.
 * This data source retries a transient failure itself, every {@code interval} for up to
 * {@code patience}: the pool's next connection opens within one interval of the leader being
 * routable. A failure that is not transient (a wrong password, an unknown database) is thrown at
 * once, as before.
 */
public class AwaitingLeaderDataSource extends DelegatingDataSource {

	@FunctionalInterface
	interface Opener {

		Connection open() throws SQLException;

	}

	private final Duration interval;

	private final Duration patience;

	public AwaitingLeaderDataSource(DataSource target, Duration interval, Duration patience) {
		super(target);
		if (interval.isNegative() || interval.isZero() || patience.isNegative()) {
			throw new IllegalArgumentException(
					"need interval > 0 and patience >= 0, got interval=%s patience=%s".formatted(interval, patience));
		}
		this.interval = interval;
		this.patience = patience;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return await(() -> obtainTargetDataSource().getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return await(() -> obtainTargetDataSource().getConnection(username, password));
	}

	Connection await(Opener opener) throws SQLException {
		long deadline = System.nanoTime() + this.patience.toNanos();
		while (true) {
			try {
				return opener.open();
			}
			catch (SQLException failure) {
				if (!TransientFailures.isTransient(failure) || System.nanoTime() + this.interval.toNanos() > deadline) {
					throw failure;
				}
				pause(failure);
			}
		}
	}

	private void pause(SQLException failure) throws SQLException {
		try {
			Thread.sleep(this.interval.toMillis());
		}
		catch (InterruptedException interrupted) {
			// The pool is shutting down: give up with the failure we have.
			Thread.currentThread().interrupt();
			throw failure;
		}
	}

}
