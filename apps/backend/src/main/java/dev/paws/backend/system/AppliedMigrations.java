package dev.paws.backend.system;

import java.util.LinkedHashMap;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.stereotype.Component;

/**
 * Runs Flyway at start (on the leader's DataSource) and remembers the outcome, so
 * {@code /actuator/info} can show the schema version without a database query per call.
 * {@code /actuator/flyway} has the full history, read from the database.
 */
@Component
class AppliedMigrations implements FlywayMigrationStrategy, InfoContributor {

	private volatile Map<String, Object> outcome = Map.of("state", "not migrated yet");

	@Override
	public void migrate(Flyway flyway) {
		MigrateResult result = flyway.migrate();
		MigrationInfo current = flyway.info().current();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("version", (current != null) ? current.getVersion().getVersion() : null);
		details.put("description", (current != null) ? current.getDescription() : null);
		details.put("applied_at_this_start", result.migrationsExecuted);
		this.outcome = details;
	}

	@Override
	public void contribute(Info.Builder builder) {
		builder.withDetail("flyway", this.outcome);
	}

}
