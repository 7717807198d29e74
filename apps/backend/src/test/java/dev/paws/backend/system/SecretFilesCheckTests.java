package dev.paws.backend.system;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SecretFilesCheckTests {

	private final SecretFilesCheck check = new SecretFilesCheck();

	private final MockEnvironment environment = new MockEnvironment()
		.withProperty(SecretFilesCheck.REQUIRED, "pg_app_password,redis_password");

	@Test
	void passesWhenEverySecretFileWasRead() {
		this.environment.withProperty("pg_app_password", "p").withProperty("redis_password", "r");
		assertThatNoException().isThrownBy(() -> this.check.postProcessEnvironment(this.environment, new SpringApplication()));
	}

	@Test
	void stopsTheStartNamingTheMissingFileUnderTheDefaultMount() {
		this.environment.withProperty("pg_app_password", "p");
		assertThatExceptionOfType(MissingSecretException.class)
			.isThrownBy(() -> this.check.postProcessEnvironment(this.environment, new SpringApplication()))
			.withMessage("secret 'redis_password' not found: no non-empty file /run/secrets/redis_password");
	}

	@Test
	void treatsAnEmptyFileAsMissingAndNamesTheConfiguredMount() {
		this.environment.withProperty("pg_app_password", "")
			.withProperty("redis_password", "r")
			.withProperty(SecretFilesCheck.MOUNT, "/srv/secrets");
		assertThatExceptionOfType(MissingSecretException.class)
			.isThrownBy(() -> this.check.postProcessEnvironment(this.environment, new SpringApplication()))
			.withMessageContaining("/srv/secrets/pg_app_password");
	}

	@Test
	void runsAfterTheConfigFilesAndTheirSecretImportAreLoaded() {
		assertThat(this.check.getOrder()).isGreaterThan(
				org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor.ORDER);
	}

	@Test
	void explainsHowToProvideTheSecret() {
		FailureAnalysis analysis = new MissingSecretFailureAnalyzer()
			.analyze(new IllegalStateException(new MissingSecretException("pg_app_password", "/run/secrets/")));
		assertThat(analysis.getDescription()).isEqualTo(
				"The secret 'pg_app_password' was not found: /run/secrets/pg_app_password is missing or empty.");
		assertThat(analysis.getAction()).contains("secrets:", "PAWS_SECRETS_MOUNT", "never read from environment variables");
	}

}
