package dev.paws.backend.failover;

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride;

/**
 * Tells HikariCP to drop a connection whose server refused a write as read-only.
 *
 * <p>HikariCP evicts a connection on connection errors (SQLSTATE 08, 57P01...), but 25006
 * (read_only_sql_transaction) looks like an ordinary statement error to it: the connection would
 * go back into the pool still attached to a leader that Patroni demoted, and every write through
 * it would fail until max-lifetime. HAProxy normally cuts such sessions itself
 * ({@code on-marked-down shutdown-sessions}); this closes the window before its health check
 * notices. Named by {@code spring.datasource.hikari.exception-override-class-name}.
 */
public class EvictConnectionsOnDemotedLeader implements SQLExceptionOverride {

	static final String READ_ONLY_SQL_TRANSACTION = "25006";

	@java.lang.Override
	public SQLExceptionOverride.Override adjudicate(SQLException failure) {
		return READ_ONLY_SQL_TRANSACTION.equals(failure.getSQLState()) ? SQLExceptionOverride.Override.MUST_EVICT
				: SQLExceptionOverride.Override.CONTINUE_EVICT;
	}

}
