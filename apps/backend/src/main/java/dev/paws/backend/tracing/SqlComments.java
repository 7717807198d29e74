package dev.paws.backend.tracing;

import io.micrometer.tracing.Tracer;

import org.springframework.stereotype.Component;

/**
 * Tags a SQL statement with the request's trace, sqlcommenter style: a trailing C-style comment
 * holding {@code traceparent='00-<trace id>-<span id>-01'}. PostgreSQL logs the statement with its
 * comment (the app role logs its writes: {@code log_statement = mod}), so the database's own log
 * lines carry the trace id.
 *
 * <p>A comment rather than {@code SET LOCAL application_name}: it costs no extra round trip. Each
 * tagged statement is a new SQL string, so pgjdbc does not reuse a server-side prepared statement
 * for it; these statements are planned in well under a millisecond (docs/performance.md has the
 * measured cost).
 */
@Component
public class SqlComments {

	private final Tracer tracer;

	public SqlComments(Tracer tracer) {
		this.tracer = tracer;
	}

	/** The statement with the current trace's comment appended, or unchanged outside a trace. */
	public String tag(String sql) {
		return TraceParent.current(this.tracer).map((traceParent) -> sql + " /*traceparent='" + traceParent + "'*/")
			.orElse(sql);
	}

}
