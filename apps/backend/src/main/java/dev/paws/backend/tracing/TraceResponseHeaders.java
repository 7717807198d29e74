package dev.paws.backend.tracing;

import java.io.IOException;

import io.micrometer.tracing.Tracer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every answer names its trace: {@code X-Trace-Id} (the id to paste into
 * {@code paws-stack logs --trace}) and W3C's {@code traceresponse}. A developer copies the id from
 * the browser's network tab.
 *
 * <p>Ordered right after Boot's server observation filter (HIGHEST_PRECEDENCE + 1), which opens the
 * request's span, and before anything that could commit the response.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class TraceResponseHeaders extends OncePerRequestFilter {

	static final String TRACE_ID = "X-Trace-Id";

	static final String TRACE_RESPONSE = "traceresponse";

	private final Tracer tracer;

	/**
	 * @param tracer absent in test slices without Actuator's tracing (e.g. {@code @WebMvcTest}):
	 * then no header is added
	 */
	TraceResponseHeaders(ObjectProvider<Tracer> tracer) {
		this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		TraceParent.current(this.tracer).ifPresent((traceParent) -> {
			response.setHeader(TRACE_ID, TraceParent.traceId(traceParent));
			response.setHeader(TRACE_RESPONSE, traceParent);
		});
		chain.doFilter(request, response);
	}

}
