package dev.paws.backend.failover;

import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CancellationException;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;

import static org.assertj.core.api.Assertions.assertThat;

class TransientFailuresTests {

	@Nested
	class PostgreSql {

		@ParameterizedTest(name = "SQLSTATE {0} is transient")
		@ValueSource(strings = { "08000", "08001", "08003", "08006", "57P01", "57P02", "57P03", "25006", "40001",
				"40P01" })
		void failoverStatesAreTransient(String state) {
			assertThat(TransientFailures.isTransient(new SQLException("failover", state))).isTrue();
		}

		@ParameterizedTest(name = "SQLSTATE {0} is not transient")
		@ValueSource(strings = { "23505", "23502", "42P01", "42601", "22001", "57014", "28P01", "3D000" })
		void errorsThatRepeatOnEveryTryAreNotTransient(String state) {
			assertThat(TransientFailures.isTransient(new SQLException("bad", state))).isFalse();
		}

		@Test
		void aSqlExceptionWithoutStateIsNotTransient() {
			assertThat(TransientFailures.isTransient(new SQLException("no state"))).isFalse();
		}

		@Test
		void aPoolThatFoundNoConnectionInTimeIsTransient() {
			var poolTimeout = new SQLTransientConnectionException("leader - Connection is not available");
			assertThat(TransientFailures.isTransient(new CannotGetJdbcConnectionException("no connection", poolTimeout)))
				.isTrue();
		}

		@Test
		void pgjdbcConnectionFailureWrappedBySpringIsTransient() {
			var refused = new PSQLException("Connection to haproxy:5432 refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT);
			assertThat(TransientFailures.isTransient(new UncategorizedSQLException("insert", "INSERT", refused))).isTrue();
		}

		@Test
		void aReadOnlyLeaderDeepInTheCauseChainIsTransient() {
			var readOnly = new SQLException("cannot execute INSERT in a read-only transaction", "25006");
			Throwable wrapped = new RuntimeException(new IllegalStateException(readOnly));
			assertThat(TransientFailures.isTransient(wrapped)).isTrue();
		}

		@Test
		void aUniqueViolationIsNotTransient() {
			var duplicate = new SQLException("duplicate key", "23505");
			assertThat(TransientFailures.isTransient(new DataIntegrityViolationException("insert", duplicate))).isFalse();
		}

	}

	@Nested
	class Redis {

		@Test
		void aLostConnectionIsTransient() {
			var lost = new RedisConnectionException("Unable to connect to redis-0:6379");
			assertThat(TransientFailures.isTransient(new RedisConnectionFailureException("Redis connection failed", lost)))
				.isTrue();
		}

		@Test
		void aCommandTimeoutIsTransient() {
			var timeout = new RedisCommandTimeoutException("Command timed out after 2 second(s)");
			assertThat(TransientFailures.isTransient(new org.springframework.dao.QueryTimeoutException("timed out", timeout)))
				.isTrue();
		}

		@Test
		void aConnectionResetUnderACommandIsTransient() {
			var reset = new RedisException(new SocketException("Connection reset"));
			assertThat(TransientFailures.isTransient(new RedisSystemException("Redis exception", reset))).isTrue();
		}

		@ParameterizedTest(name = "Lettuce''s ''{0}'' is transient")
		@ValueSource(strings = { "Connection closed", "Master is currently unknown: [RedisMasterReplicaNode [redisURI=redis-1]]",
				"Cannot determine a node to read (Known nodes: []) with setting ReadFromUpstream" })
		void lettuceStatesOfAMasterChangeAreTransient(String message) {
			assertThat(TransientFailures.isTransient(new RedisSystemException("Redis exception", new RedisException(message))))
				.isTrue();
		}

		@Test
		void aCommandCancelledWhenTheTopologyMovedIsTransient() {
			var cancelled = new RedisSystemException("Unknown redis exception", new CancellationException());
			assertThat(TransientFailures.isTransient(cancelled)).isTrue();
		}

		@Test
		void aCancellationOutsideRedisIsNotTransient() {
			assertThat(TransientFailures.isTransient(new CancellationException())).isFalse();
		}

		@Test
		void aClosedClientIsNotTransient() {
			// The connection factory was shut down: retrying cannot help.
			assertThat(TransientFailures.isTransient(new RedisException("Connection is closed"))).isFalse();
		}

		@ParameterizedTest(name = "reply ''{0}'' is transient")
		@ValueSource(strings = { "READONLY You can't write against a read only replica.",
				"LOADING Redis is loading the dataset in memory", "MASTERDOWN Link with MASTER is down",
				"NOREPLICAS Not enough good replicas to write." })
		void repliesOfAMasterChangeAreTransient(String reply) {
			var error = new RedisCommandExecutionException(reply);
			assertThat(TransientFailures.isTransient(new RedisSystemException("Error in execution", error))).isTrue();
		}

		@ParameterizedTest(name = "reply ''{0}'' is not transient")
		@ValueSource(strings = { "WRONGTYPE Operation against a key holding the wrong kind of value",
				"ERR value is not an integer or out of range", "NOAUTH Authentication required.",
				"READONLYX not a known reply" })
		void repliesThatRepeatOnEveryTryAreNotTransient(String reply) {
			assertThat(TransientFailures.isTransient(new RedisCommandExecutionException(reply))).isFalse();
		}

	}

	@Test
	void anUnrelatedFailureIsNotTransient() {
		assertThat(TransientFailures.isTransient(new IllegalArgumentException("bad input"))).isFalse();
		assertThat(TransientFailures.isTransient(new IOException("disk full"))).isFalse();
	}

	@Test
	void aCauseChainWithACycleEnds() {
		var first = new RuntimeException("first");
		var second = new RuntimeException("second", first);
		first.initCause(second);
		assertThat(TransientFailures.isTransient(first)).isFalse();
	}

}
