package dev.paws.backend.system;

import com.zaxxer.hikari.HikariDataSource;

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
 */
@Configuration(proxyBeanMethods = false)
class DataSourceConfiguration {

	static final String HIKARI_TUNING = "spring.datasource.hikari";

	@Bean
	@Primary
	@ConfigurationProperties("spring.datasource")
	DataSourceProperties dataSourceProperties() {
		return new DataSourceProperties();
	}

	@Bean
	@Primary
	@ConfigurationProperties(HIKARI_TUNING)
	HikariDataSource dataSource(DataSourceProperties dataSourceProperties) {
		HikariDataSource dataSource = dataSourceProperties.initializeDataSourceBuilder()
			.type(HikariDataSource.class)
			.build();
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
			Environment environment) {
		HikariDataSource dataSource = replicaDataSourceProperties.initializeDataSourceBuilder()
			.type(HikariDataSource.class)
			.build();
		Binder.get(environment).bind(HIKARI_TUNING, Bindable.ofInstance(dataSource));
		dataSource.setPoolName("replica");
		// Sets each connection read-only: a write sent here by mistake fails instead of reaching a
		// server that HAProxy might one day route as leader.
		dataSource.setReadOnly(true);
		return dataSource;
	}

}
