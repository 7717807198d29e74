package dev.paws.backend;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The paws reference backend: notes kept in PostgreSQL and a visit counter kept in Redis, both
 * reached the way a production service reaches them, and both kept answering through a failover.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PawsBackendApplication {

	public static void main(String[] args) {
		SpringApplication.run(PawsBackendApplication.class, args);
	}

}
