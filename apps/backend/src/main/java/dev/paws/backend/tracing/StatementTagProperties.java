package dev.paws.backend.tracing;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code paws.tracing.statement-tags}: how the request's {@code traceparent} reaches
 * PostgreSQL's log lines. Bound, so that a misspelt value stops the start with the list of valid
 * ones.
 */
@ConfigurationProperties("paws.tracing")
record StatementTagProperties(@DefaultValue("application-name") Mode statementTags) {

	enum Mode {

		/**
		 * Each write runs after {@code set_config('application_name', <traceparent>, true)}, in the
		 * same round trip and transaction; the log line prefix's {@code %a} shows it. Every
		 * statement stays a constant string, prepared once on the server.
		 */
		APPLICATION_NAME,

		/**
		 * Each write ends with an sqlcommenter comment {@code /*traceparent='...'*}{@code /}: a new
		 * SQL string per request, parsed and planned afresh.
		 */
		WRITE_COMMENTS,

		/**
		 * Every statement carries the comment: reads too, which PostgreSQL logs only when they fail
		 * or are slow.
		 */
		ALL_COMMENTS,

		/** None: the database's lines carry no trace id. */
		NONE

	}

}
