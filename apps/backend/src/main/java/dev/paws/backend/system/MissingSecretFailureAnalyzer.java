package dev.paws.backend.system;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing secret file into one message that says which file and how to provide it. */
public class MissingSecretFailureAnalyzer extends AbstractFailureAnalyzer<MissingSecretException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingSecretException cause) {
		String description = "The secret '%s' was not found: %s is missing or empty."
			.formatted(cause.getName(), MissingSecretException.path(cause.getMount(), cause.getName()));
		String action = ("Mount the secret file: in compose, list '%s' under the service's secrets: (it appears in"
				+ " /run/secrets/). When running elsewhere, set PAWS_SECRETS_MOUNT to the directory that holds"
				+ " the file. Secrets are never read from environment variables.")
			.formatted(cause.getName());
		return new FailureAnalysis(description, action, cause);
	}

}
