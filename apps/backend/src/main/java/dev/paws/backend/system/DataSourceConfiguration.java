package dev.paws.backend.system;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import dev.paws.backend.failover.AwaitingLeaderDataSource;
import dev.paws.backend.failover.RetryProperties;

import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Two connection pools: the leader's ({@code spring.datasource}, also used by Flyway) and the
 * replicas' ({@code paws.datasource.replica}). Both take their HikariCP tuning from
 * {@code spring.datasource.hikari}, so a failover is handled the same way on either.
 *
 * <p>Declaring a second DataSource turns off Boot's own, so the leader's is declared here too, the
 * way Boot's reference documentation shows for two DataSources.
 *
 * <p>Each pool opens its connections through an {@link AwaitingLeaderDataSource}, which keeps
 * trying through a failover every {@link #CONNECT_INTERVAL}: HikariCP's own backoff between
 * attempts grows to 5 s and would find the new leader that much late.
 */
@Configuration(proxyBeanMethods = false)
class DataSourceConfiguration {

	static final String HIKARI_TUNING = "spring.datasource.hikari";

	/** How often a pool tries to connect while there is no leader (or no replica) to reach. */
	static final Duration CONNECT_INTERVAL = Duration.ofMillis(250);

	@Bean
	@Primary
	@ConfigurationProperties("spring.datasource")
	DataSourceProperties dataSourceProperties() {
		return new DataSourceProperties();
	}

	@Bean
	@Primary
	HikariDataSource dataSource(DataSourceProperties dataSourceProperties, Environment environment,
			RetryProperties retry) {
		HikariDataSource dataSource = pool(dataSourceProperties, environment, retry);
		dataSource.setPoolName("leader");
		return dataSource;
	}

	@Bean
	@Replica
	@ConfigurationProperties("paws.datasource.replica")
	DataSourceProperties replicaDataSourceProperties() {
		return new DataSourceProperties();
	}

	@Bean
	@Replica
	HikariDataSource replicaDataSource(@Replica DataSourceProperties replicaDataSourceProperties,
			Environment environment, RetryProperties retry) {
		HikariDataSource dataSource = pool(replicaDataSourceProperties, environment, retry);
		dataSource.setPoolName("replica");
		// Sets each connection read-only: a write sent here by mistake fails instead of reaching a
		// server that HAProxy might one day route as leader.
		dataSource.setReadOnly(true);
		return dataSource;
	}

	/** A pool with the shared HikariCP tuning, connecting through failovers. */
	private static HikariDataSource pool(DataSourceProperties properties, Environment environment,
			RetryProperties retry) {
		HikariDataSource pool = properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
		Binder.get(environment).bind(HIKARI_TUNING, Bindable.ofInstance(pool));
		DriverDataSource driver = new DriverDataSource(pool.getJdbcUrl(), pool.getDriverClassName(),
				pool.getDataSourceProperties(), pool.getUsername(), pool.getPassword());
		pool.setDataSource(new AwaitingLeaderDataSource(driver, CONNECT_INTERVAL, retry.deadline()));
		return pool;
	}

}
