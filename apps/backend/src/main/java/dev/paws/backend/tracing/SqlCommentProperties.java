package dev.paws.backend.tracing;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code paws.tracing.sql-comments}: which statements carry the request's {@code traceparent}
 * comment. Bound, so that a misspelt value stops the start with the list of valid ones.
 */
@ConfigurationProperties("paws.tracing")
record SqlCommentProperties(@DefaultValue("writes") Statements sqlComments) {

	enum Statements {

		/** Every statement: reads too, which PostgreSQL logs only when they fail or are slow. */
		ALL,

		/**
		 * The statements that change data: the ones the app role's {@code log_statement = mod}
		 * logs. Reads stay constant strings, so pgjdbc keeps them as server-side prepared
		 * statements.
		 */
		WRITES,

		/** None: the database's lines carry no trace id. */
		NONE

	}

}
