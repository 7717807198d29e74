package dev.paws.backend.failover;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;

import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;

/**
 * Decides whether a failure is one a failover causes and a retry can outlive.
 *
 * <p>Only failures that say "the server you reached is gone, not ready, or no longer the leader"
 * are transient. A constraint violation, a syntax error or a bad argument fails the same way on
 * every try, so retrying it would only delay the error.
 */
public final class TransientFailures {

	/** SQLSTATE classes whose every code is transient: 08 is "connection exception". */
	static final List<String> TRANSIENT_SQL_STATE_CLASSES = List.of("08");

	/** Single SQLSTATE codes that a failover produces. */
	static final Set<String> TRANSIENT_SQL_STATES = Set.of(
			// admin_shutdown: Patroni stopped or restarted the server under us.
			"57P01",
			// crash_shutdown: another backend crashed and the postmaster reset every session.
			"57P02",
			// cannot_connect_now: the server is starting up or still recovering.
			"57P03",
			// read_only_sql_transaction: a write reached a leader that was demoted to a replica.
			"25006",
			// serialization_failure: the transaction was rolled back whole; a retry is the cure.
			"40001",
			// deadlock_detected: likewise rolled back whole.
			"40P01");

	/** Redis error replies a master change produces (the reply's first word). */
	static final List<String> TRANSIENT_REDIS_ERRORS = List.of(
			// A write reached a master that Sentinel demoted to a replica.
			"READONLY",
			// A replica promoted or restarted is still loading its dataset.
			"LOADING",
			// A replica that lost its master refuses to serve stale data.
			"MASTERDOWN",
			// A master fenced by min-replicas-to-write: its replicas left it (it is being replaced).
			"NOREPLICAS");

	/** Lettuce's own messages (not Redis replies) for states a master change passes through. */
	static final List<String> TRANSIENT_LETTUCE_MESSAGES = List.of(
			// Commands in flight when their connection closed.
			"Connection closed",
			// Master/replica topology between the old master's loss and +switch-master.
			"Master is currently unknown",
			"Cannot determine a node to read");

	private TransientFailures() {
	}

	/** Whether {@code failure}, or any exception in its cause chain, is transient. */
	public static boolean isTransient(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
			if (isTransientItself(cause)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isTransientItself(Throwable failure) {
		if (failure instanceof SQLException sqlException) {
			return isTransientSqlFailure(sqlException);
		}
		if (failure instanceof RedisConnectionFailureException || failure instanceof RedisConnectionException
				|| failure instanceof RedisCommandTimeoutException) {
			return true;
		}
		// Lettuce cancels the commands queued on a connection it drops when the topology moves to
		// a new master; Spring Data Redis reports that as "Unknown redis exception".
		if (failure instanceof RedisSystemException && failure.getCause() instanceof CancellationException) {
			return true;
		}
		if (failure instanceof RedisException) {
			// A socket error under a command (connection reset by a dying master) is transport,
			// not a reply: Lettuce wraps the IOException in a plain RedisException.
			return failure.getCause() instanceof IOException || isTransientLettuceState(failure.getMessage())
					|| isTransientRedisReply(failure.getMessage());
		}
		return false;
	}

	static boolean isTransientSqlFailure(SQLException failure) {
		// HikariCP's "connection is not available, request timed out": no server took the connection.
		if (failure instanceof SQLTransientConnectionException) {
			return true;
		}
		String state = failure.getSQLState();
		if (state == null) {
			return false;
		}
		return TRANSIENT_SQL_STATES.contains(state) || TRANSIENT_SQL_STATE_CLASSES.stream().anyMatch(state::startsWith);
	}

	static boolean isTransientLettuceState(String message) {
		return message != null && TRANSIENT_LETTUCE_MESSAGES.stream().anyMatch(message::startsWith);
	}

	static boolean isTransientRedisReply(String message) {
		if (message == null) {
			return false;
		}
		return TRANSIENT_REDIS_ERRORS.stream().anyMatch((error) -> message.equals(error) || message.startsWith(error + " "));
	}

}
