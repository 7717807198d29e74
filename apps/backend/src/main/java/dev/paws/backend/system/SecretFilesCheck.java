package dev.paws.backend.system;

import java.util.List;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.StringUtils;

/**
 * Stops the start when a secret file is missing or empty, before any connection is tried.
 *
 * <p>Without it a missing file goes unnoticed: Boot leaves an unresolvable {@code ${pg_app_password}}
 * in place, and the app would log in with that literal text and report a wrong password. Runs after
 * the config files (and their {@code configtree:} import) are loaded; the names come from
 * {@code paws.secrets.required}.
 */
public class SecretFilesCheck implements EnvironmentPostProcessor, Ordered {

	static final String REQUIRED = "paws.secrets.required";

	static final String MOUNT = "paws.secrets.mount";

	static final String DEFAULT_MOUNT = "/run/secrets/";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		List<String> required = List.of(environment.getProperty(REQUIRED, String[].class, new String[0]));
		String mount = environment.getProperty(MOUNT, DEFAULT_MOUNT);
		for (String name : required) {
			if (!StringUtils.hasText(environment.getProperty(name))) {
				throw new MissingSecretException(name, mount);
			}
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
