package dev.paws.backend.system;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import dev.paws.backend.failover.AwaitingLeaderDataSource;
import dev.paws.backend.failover.EvictConnectionsOnDemotedLeader;
import dev.paws.backend.failover.RetryProperties;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.SslVerifyMode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped application.yml, loaded whole: what the container gets when compose sets nothing
 * but the secret files (stand-ins from src/test/resources/test-secrets, see the surefire setup). No database or Redis is needed: pools and Redis connect lazily, and
 * Flyway is switched off.
 */
class ApplicationConfigurationTests {

	static final String NO_MIGRATIONS = "spring.flyway.enabled=false";

	@Nested
	@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = NO_MIGRATIONS)
	class Defaults {

		@Autowired
		HikariDataSource dataSource;

		@Autowired
		@Replica
		HikariDataSource replicaDataSource;

		@Autowired
		LettuceConnectionFactory redis;

		@Autowired
		RetryProperties retry;

		@Test
		void reachesTheLeaderThroughHaproxyWithThePasswordFromItsSecretFile() {
			assertThat(this.dataSource.getJdbcUrl()).isEqualTo("jdbc:postgresql://haproxy:5432/app");
			assertThat(this.dataSource.getUsername()).isEqualTo("app");
			// The file ends in a newline; configtree trims it.
			assertThat(this.dataSource.getPassword()).isEqualTo("test-pg-password");
			assertThat(this.dataSource.getPoolName()).isEqualTo("leader");
			assertThat(this.dataSource.isReadOnly()).isFalse();
		}

		@Test
		void readsFromTheReplicasThroughTheirOwnReadOnlyPool() {
			assertThat(this.replicaDataSource).isNotSameAs(this.dataSource);
			assertThat(this.replicaDataSource.getJdbcUrl()).isEqualTo("jdbc:postgresql://haproxy:5433/app");
			assertThat(this.replicaDataSource.getUsername()).isEqualTo("app");
			assertThat(this.replicaDataSource.getPassword()).isEqualTo("test-pg-password");
			assertThat(this.replicaDataSource.getPoolName()).isEqualTo("replica");
			assertThat(this.replicaDataSource.isReadOnly()).isTrue();
		}

		@Test
		void tunesBothPoolsForAFastFailover() {
			for (HikariDataSource pool : new HikariDataSource[] { this.dataSource, this.replicaDataSource }) {
				assertThat(pool.getMaximumPoolSize()).as(pool.getPoolName()).isEqualTo(5);
				assertThat(pool.getConnectionTimeout()).as(pool.getPoolName()).isEqualTo(2500);
				assertThat(pool.getValidationTimeout()).as(pool.getPoolName()).isEqualTo(1000);
				assertThat(pool.getKeepaliveTime()).as(pool.getPoolName()).isEqualTo(30_000);
				assertThat(pool.getMaxLifetime()).as(pool.getPoolName()).isEqualTo(300_000);
				assertThat(pool.getInitializationFailTimeout()).as(pool.getPoolName()).isEqualTo(-1);
				assertThat(pool.getExceptionOverrideClassName()).as(pool.getPoolName())
					.isEqualTo(EvictConnectionsOnDemotedLeader.class.getName());
				assertThat(pool.getDataSourceProperties()).as(pool.getPoolName())
					.containsEntry("connectTimeout", "2")
					.containsEntry("socketTimeout", "10")
					.containsEntry("tcpKeepAlive", "true");
				// Connections open through the failover-patient wrapper, not Hikari's 5 s backoff.
				assertThat(pool.getDataSource()).as(pool.getPoolName()).isInstanceOf(AwaitingLeaderDataSource.class);
			}
		}

		@Test
		void findsTheRedisMasterThroughTheSentinels() {
			var sentinel = this.redis.getSentinelConfiguration();
			assertThat(sentinel).isNotNull();
			assertThat(sentinel.getMaster().getName()).isEqualTo("paws");
			assertThat(sentinel.getSentinels()).extracting(RedisNode::getHost, RedisNode::getPort)
				.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("sentinel-0", 26379),
						org.assertj.core.groups.Tuple.tuple("sentinel-1", 26379),
						org.assertj.core.groups.Tuple.tuple("sentinel-2", 26379));
			assertThat(sentinel.getSentinelPassword().get()).isEqualTo("test-redis-password".toCharArray());
			assertThat(sentinel.getPassword().get()).isEqualTo("test-redis-password".toCharArray());
		}

		@Test
		void followsSentinelTopologyAndGivesUpOnACommandAfterTwoSeconds() {
			assertThat(this.redis.getClientConfiguration().getReadFrom()).contains(ReadFrom.UPSTREAM);
			assertThat(this.redis.getClientConfiguration().getCommandTimeout()).isEqualTo(Duration.ofSeconds(2));
		}

		@Test
		void retriesForThirtySecondsByDefault() {
			assertThat(this.retry.deadline()).isEqualTo(Duration.ofSeconds(30));
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = WebEnvironment.NONE,
			properties = { NO_MIGRATIONS, "paws.redis.mode=standalone", "paws.retry.deadline=5s" })
	class StandaloneRedisOnTheHost {

		@Autowired
		LettuceConnectionFactory redis;

		@Autowired
		RetryProperties retry;

		@Test
		void talksToThePublishedMasterPortInsteadOfTheSentinels() {
			assertThat(this.redis.getSentinelConfiguration()).isNull();
			assertThat(this.redis.getStandaloneConfiguration().getHostName()).isEqualTo("127.0.0.1");
			assertThat(this.redis.getStandaloneConfiguration().getPort()).isEqualTo(16379);
			assertThat(this.redis.getStandaloneConfiguration().getPassword().get())
				.isEqualTo("test-redis-password".toCharArray());
			// A master/replica connection would try the replicas' container addresses.
			assertThat(this.redis.getClientConfiguration().getReadFrom()).isEmpty();
		}

		@Test
		void takesTheDeadlineFromItsProperty() {
			assertThat(this.retry.deadline()).isEqualTo(Duration.ofSeconds(5));
		}

	}

	/**
	 * The stack's TLS mode: paws includes the {@code tls} profile and sets PAWS_CA_FILE (here a
	 * stand-in CA certificate from src/test/resources/test-tls).
	 */
	@Nested
	@SpringBootTest(webEnvironment = WebEnvironment.NONE,
			properties = { NO_MIGRATIONS, "PAWS_CA_FILE=src/test/resources/test-tls/ca.crt" })
	@ActiveProfiles("tls")
	class TlsMode {

		@Autowired
		HikariDataSource dataSource;

		@Autowired
		@Replica
		HikariDataSource replicaDataSource;

		@Autowired
		LettuceConnectionFactory redis;

		@Test
		void bothPoolsVerifyTheServersNameAndChainAgainstTheLocalCa() {
			for (HikariDataSource pool : new HikariDataSource[] { this.dataSource, this.replicaDataSource }) {
				assertThat(pool.getDataSourceProperties()).as(pool.getPoolName())
					.containsEntry("sslmode", "verify-full")
					.containsEntry("sslrootcert", "src/test/resources/test-tls/ca.crt");
			}
		}

		@Test
		void speaksTlsToTheSentinelsAndTheMasterVerifyingTheirNames() {
			assertThat(this.redis.getClientConfiguration().isUseSsl()).isTrue();
			assertThat(this.redis.getClientConfiguration().getVerifyMode()).isEqualTo(SslVerifyMode.FULL);
			assertThat(this.redis.getSentinelConfiguration()).isNotNull();
		}

	}

}
