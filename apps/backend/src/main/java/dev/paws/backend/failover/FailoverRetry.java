package dev.paws.backend.failover;

import java.util.List;
import java.util.function.Supplier;

import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryListener;
import org.springframework.retry.backoff.ExponentialRandomBackOffPolicy;
import org.springframework.retry.backoff.Sleeper;
import org.springframework.retry.backoff.ThreadWaitSleeper;
import org.springframework.retry.support.RetryTemplate;

/**
 * Runs an action against PostgreSQL or Redis, retrying transient failures until the deadline.
 *
 * <p>One policy for every call: transient failures only ({@link TransientFailures}), exponential
 * backoff with jitter (so clients that failed together do not come back together), and a
 * deadline rather than a count of tries, because what a caller can bear is time.
 *
 * <p>The action must be safe to run twice: a try whose reply was lost may still have taken effect.
 */
public class FailoverRetry {

	private final RetryTemplate retryTemplate;

	private final RetryProperties properties;

	/**
	 * @param listeners told of every try besides the built-in logging, e.g. for metrics
	 */
	public FailoverRetry(RetryProperties properties, List<RetryListener> listeners) {
		this(properties, listeners, new ThreadWaitSleeper());
	}

	FailoverRetry(RetryProperties properties, List<RetryListener> listeners, Sleeper sleeper) {
		this.properties = properties;
		this.retryTemplate = RetryTemplate.builder()
			.withTimeout(properties.deadline())
			.customBackoff(jitteredExponentialBackoff(properties, sleeper))
			.retryOn(TransientFailures::isTransient)
			.withListener(new RetryLogging())
			.withListeners(listeners)
			.build();
	}

	/**
	 * The action's result, after as many tries as the deadline allows.
	 * @param dependency what the action talks to; names the retries in metrics, logs and errors
	 * @throws DependencyUnavailableException when the last try still failed transiently
	 */
	public <T> T call(String dependency, Supplier<T> action) {
		try {
			return this.retryTemplate.execute(new Labelled<>(dependency, action));
		}
		catch (RuntimeException failure) {
			if (TransientFailures.isTransient(failure)) {
				throw new DependencyUnavailableException(dependency, this.properties.deadline(), failure);
			}
			throw failure;
		}
	}

	/**
	 * Pause k is drawn between base(k) and base(k) x multiplier, where base(k) grows from the
	 * initial backoff by the multiplier; no pause exceeds the max backoff.
	 */
	private static ExponentialRandomBackOffPolicy jitteredExponentialBackoff(RetryProperties properties,
			Sleeper sleeper) {
		ExponentialRandomBackOffPolicy backOff = new ExponentialRandomBackOffPolicy();
		backOff.setInitialInterval(properties.initialBackoff().toMillis());
		backOff.setMultiplier(properties.multiplier());
		backOff.setMaxInterval(properties.maxBackoff().toMillis());
		backOff.setSleeper(sleeper);
		return backOff;
	}

	/** A retry callback carrying the dependency's name as its label, which the retry listeners read. */
	private record Labelled<T>(String dependency, Supplier<T> action) implements RetryCallback<T, RuntimeException> {

		@Override
		public T doWithRetry(RetryContext context) {
			return this.action.get();
		}

		@Override
		public String getLabel() {
			return this.dependency;
		}

	}

}
