package dev.paws.backend.failover;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a request waits for PostgreSQL or Redis to come back, and how it spaces its tries.
 *
 * @param deadline no new try starts after this much time; the request then fails with 503
 * @param initialBackoff pause before the second try
 * @param maxBackoff the pause never grows beyond this, so a recovered server is found quickly
 * @param multiplier growth of the pause from one try to the next (each pause is jittered)
 */
@ConfigurationProperties("paws.retry")
public record RetryProperties(@DefaultValue("30s") Duration deadline, @DefaultValue("100ms") Duration initialBackoff,
		@DefaultValue("2s") Duration maxBackoff, @DefaultValue("2.0") double multiplier) {

	public RetryProperties {
		if (deadline.isNegative() || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
			throw new IllegalArgumentException(
					"paws.retry: need deadline >= 0 and 0 <= initial-backoff <= max-backoff, got deadline=%s initial-backoff=%s max-backoff=%s"
						.formatted(deadline, initialBackoff, maxBackoff));
		}
		if (multiplier < 1.0) {
			throw new IllegalArgumentException("paws.retry.multiplier must be >= 1.0, got " + multiplier);
		}
	}

}
