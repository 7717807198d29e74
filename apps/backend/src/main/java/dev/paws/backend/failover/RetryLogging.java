package dev.paws.backend.failover;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryListener;

/** Logs each failed try, so a failover shows up in the log as a handful of lines, not silence. */
class RetryLogging implements RetryListener {

	private static final Logger logger = LoggerFactory.getLogger(FailoverRetry.class);

	@Override
	public <T, E extends Throwable> void onError(RetryContext context, RetryCallback<T, E> callback,
			Throwable failure) {
		if (TransientFailures.isTransient(failure)) {
			logger.warn("{} try {} failed, will retry within the deadline: {}", callback.getLabel(),
					context.getRetryCount(), rootMessage(failure));
		}
	}

	@Override
	public <T, E extends Throwable> void close(RetryContext context, RetryCallback<T, E> callback,
			Throwable failure) {
		if (failure == null && context.getRetryCount() > 0) {
			logger.info("{} answered after {} failed tries", callback.getLabel(), context.getRetryCount());
		}
	}

	private static String rootMessage(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

}
