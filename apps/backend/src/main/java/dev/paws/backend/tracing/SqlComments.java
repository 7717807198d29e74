package dev.paws.backend.tracing;

import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Tags a SQL statement with the request's trace, sqlcommenter style: a trailing C-style comment
 * holding {@code traceparent='00-<trace id>-<span id>-01'}. PostgreSQL logs the statement with its
 * comment (the app role logs its writes: {@code log_statement = mod}), so the database's own log
 * lines carry the trace id.
 *
 * <p>A comment rather than {@code SET LOCAL application_name}: it costs no extra round trip. Each
 * tagged statement is a new SQL string, so pgjdbc cannot reuse a server-side prepared statement
 * for it; which statements are tagged is {@code paws.tracing.sql-comments} (docs/performance.md
 * has the measured cost of each choice).
 */
@Component
public class SqlComments {

	private final Tracer tracer;

	private final SqlCommentProperties.Statements statements;

	/**
	 * @param tracer absent when tracing is left out (e.g. its auto-configuration excluded): then
	 * nothing is tagged
	 */
	@Autowired
	SqlComments(ObjectProvider<Tracer> tracer, SqlCommentProperties properties) {
		this(tracer.getIfAvailable(() -> Tracer.NOOP), properties.sqlComments());
	}

	SqlComments(Tracer tracer, SqlCommentProperties.Statements statements) {
		this.tracer = tracer;
		this.statements = statements;
	}

	/** A statement that changes data, with the current trace's comment unless tagging is off. */
	public String write(String sql) {
		return (this.statements == SqlCommentProperties.Statements.NONE) ? sql : tag(sql);
	}

	/** A read, tagged only when every statement is ({@code sql-comments: all}). */
	public String read(String sql) {
		return (this.statements == SqlCommentProperties.Statements.ALL) ? tag(sql) : sql;
	}

	private String tag(String sql) {
		return TraceParent.current(this.tracer).map((traceParent) -> sql + " /*traceparent='" + traceParent + "'*/")
			.orElse(sql);
	}

}
