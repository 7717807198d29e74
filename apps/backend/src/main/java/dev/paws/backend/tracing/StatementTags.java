package dev.paws.backend.tracing;

import java.util.Map;
import java.util.Optional;

import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.stereotype.Component;

/**
 * Puts the request's trace on the statements PostgreSQL logs: the writes, which the app role's
 * {@code log_statement = mod} logs. How is {@code paws.tracing.statement-tags}; docs/performance.md
 * has the measured cost of each way.
 *
 * <p>The default sets {@code application_name} to the {@code traceparent} for the write's own
 * transaction: the statement and its {@code set_config} go to the server in one round trip
 * (pgjdbc sends the statements of one string before a single Sync, so they share the implicit
 * transaction and {@code is_local} lasts exactly as long as the write). A sqlcommenter comment
 * instead makes every write a new SQL string, parsed and planned afresh: measured at 5 points of
 * the request's p50.
 */
@Component
public class StatementTags {

	static final String TRACEPARENT = "paws_traceparent";

	static final String SET_APPLICATION_NAME = "SELECT set_config('application_name', :" + TRACEPARENT
			+ ", true);";

	private final Tracer tracer;

	private final StatementTagProperties.Mode mode;

	private final NamedParameterJdbcOperations leader;

	/**
	 * @param tracer absent when tracing is left out (e.g. its auto-configuration excluded): then
	 * nothing is tagged
	 * @param leader the leader's statements (the primary data source)
	 */
	@Autowired
	StatementTags(ObjectProvider<Tracer> tracer, StatementTagProperties properties,
			NamedParameterJdbcOperations leader) {
		this(tracer.getIfAvailable(() -> Tracer.NOOP), properties.statementTags(), leader);
	}

	StatementTags(Tracer tracer, StatementTagProperties.Mode mode, NamedParameterJdbcOperations leader) {
		this.tracer = tracer;
		this.mode = mode;
		this.leader = leader;
	}

	/** Runs a statement that changes data on the leader, tagged; returns its update count. */
	public int update(String sql, Map<String, ?> parameters) {
		Optional<String> traceParent = currentTraceParent();
		if (traceParent.isPresent() && this.mode == StatementTagProperties.Mode.APPLICATION_NAME) {
			MapSqlParameterSource all = new MapSqlParameterSource(parameters).addValue(TRACEPARENT,
					traceParent.get());
			return this.leader.execute(writeSql(sql, traceParent), all, (statement) -> {
				statement.execute(); // first the set_config's one row, then the write's count
				statement.getMoreResults();
				return statement.getUpdateCount();
			});
		}
		return this.leader.update(writeSql(sql, traceParent), parameters);
	}

	/** A read's SQL: commented only when every statement is ({@code all-comments}). */
	public String read(String sql) {
		if (this.mode != StatementTagProperties.Mode.ALL_COMMENTS) {
			return sql;
		}
		return currentTraceParent().map((traceParent) -> commented(sql, traceParent)).orElse(sql);
	}

	/** The SQL a write runs, for the given trace (none: the statement as it is). */
	String writeSql(String sql, Optional<String> traceParent) {
		if (traceParent.isEmpty()) {
			return sql;
		}
		return switch (this.mode) {
			case APPLICATION_NAME -> SET_APPLICATION_NAME + sql;
			case WRITE_COMMENTS, ALL_COMMENTS -> commented(sql, traceParent.get());
			case NONE -> sql;
		};
	}

	/** The traceparent writes are tagged with now: empty outside a trace, or with tagging off. */
	Optional<String> currentTraceParent() {
		return (this.mode == StatementTagProperties.Mode.NONE) ? Optional.empty() : TraceParent.current(this.tracer);
	}

	private static String commented(String sql, String traceParent) {
		return sql + " /*traceparent='" + traceParent + "'*/";
	}

}
