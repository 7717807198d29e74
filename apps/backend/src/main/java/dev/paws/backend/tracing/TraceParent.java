package dev.paws.backend.tracing;

import java.util.Optional;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;

/**
 * The current request's W3C trace context as a {@code traceparent} value:
 * {@code 00-<32 hex trace id>-<16 hex span id>-<flags>}.
 */
public final class TraceParent {

	private TraceParent() {
	}

	/** The current span's traceparent, or empty outside a traced request (or with tracing off). */
	public static Optional<String> current(Tracer tracer) {
		Span span = tracer.currentSpan();
		if (span == null) {
			return Optional.empty();
		}
		TraceContext context = span.context();
		// The no-op tracer (tracing switched off) answers with empty ids.
		if (context.traceId().isEmpty() || context.spanId().isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(format(context.traceId(), context.spanId(), Boolean.TRUE.equals(context.sampled())));
	}

	static String format(String traceId, String spanId, boolean sampled) {
		return "00-" + traceId + "-" + spanId + "-" + (sampled ? "01" : "00");
	}

	/** The trace id part of a traceparent value. */
	public static String traceId(String traceParent) {
		return traceParent.substring(3, 35);
	}

}
