package dev.paws.backend.tracing;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * The shipped configuration with tracing on, as in the container: a caller's W3C traceparent is
 * continued, the answer names the trace, log lines are JSON with the ids, writes carry the trace.
 */
@SpringBootTest(properties = "spring.flyway.enabled=false")
@AutoConfigureMockMvc
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
class TracingTests {

	static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

	static final String CALLER_TRACEPARENT = "00-" + CALLER_TRACE + "-00f067aa0ba902b7-01";

	@Autowired
	MockMvc mvc;

	@Autowired
	Tracer tracer;

	@Autowired
	StatementTags tags;

	@Autowired
	NamedParameterJdbcOperations leader;

	@Test
	void continuesTheCallersTraceAndNamesItInTheAnswer() throws Exception {
		MvcResult result = this.mvc.perform(get("/actuator/health/liveness").header("traceparent", CALLER_TRACEPARENT))
			.andReturn();
		assertThat(result.getResponse().getHeader(TraceResponseHeaders.TRACE_ID)).isEqualTo(CALLER_TRACE);
		assertThat(result.getResponse().getHeader(TraceResponseHeaders.TRACE_RESPONSE))
			.matches("00-" + CALLER_TRACE + "-[0-9a-f]{16}-01")
			.as("the backend's own span, a child of the caller's")
			.isNotEqualTo(CALLER_TRACEPARENT);
	}

	@Test
	void startsATraceWhenTheCallerSentNone() throws Exception {
		MvcResult first = this.mvc.perform(get("/actuator/health/liveness")).andReturn();
		MvcResult second = this.mvc.perform(get("/actuator/health/liveness")).andReturn();
		String id = first.getResponse().getHeader(TraceResponseHeaders.TRACE_ID);
		assertThat(id).matches("[0-9a-f]{32}");
		assertThat(second.getResponse().getHeader(TraceResponseHeaders.TRACE_ID)).isNotEqualTo(id);
	}

	@Test
	void servesOpenMetricsWithoutExemplarsThatOldPrometheusRefuses() throws Exception {
		this.mvc.perform(get("/actuator/health/liveness").header("traceparent", CALLER_TRACEPARENT));
		String body = this.mvc.perform(get("/actuator/prometheus").accept("application/openmetrics-text"))
			.andReturn()
			.getResponse()
			.getContentAsString();
		assertThat(body).contains("http_server_requests_seconds_count").doesNotContain("trace_id=");
	}

	@Test
	void logsOneJsonDocumentPerLineWithTheTraceAndSpanIds(CapturedOutput output) throws Exception {
		Span span = this.tracer.nextSpan().name("test").start();
		try (Tracer.SpanInScope scope = this.tracer.withSpan(span)) {
			LoggerFactory.getLogger(TracingTests.class).info("a line inside a trace");
		}
		finally {
			span.end();
		}
		String line = output.getOut()
			.lines()
			.filter((candidate) -> candidate.contains("a line inside a trace"))
			.findFirst()
			.orElseThrow();
		JsonNode json = new ObjectMapper().readTree(line);
		assertThat(json.path("message").asText()).isEqualTo("a line inside a trace");
		assertThat(json.path("trace_id").asText()).isEqualTo(span.context().traceId());
		assertThat(json.path("span_id").asText()).isEqualTo(span.context().spanId());
		assertThat(json.path("@timestamp").asText()).isNotEmpty();
		assertThat(json.path("log").path("level").asText()).isEqualTo("INFO");
	}

	@Test
	void setsTheApplicationNameForEachWriteByDefault() {
		Span span = this.tracer.nextSpan().name("test").start();
		try (Tracer.SpanInScope scope = this.tracer.withSpan(span)) {
			Optional<String> traceParent = TraceParent.current(this.tracer);
			assertThat(traceParent).hasValue("00-" + span.context().traceId() + "-" + span.context().spanId() + "-01");
			assertThat(this.tags.writeSql("DELETE FROM notes", traceParent))
				.isEqualTo("SELECT set_config('application_name', :paws_traceparent, true);DELETE FROM notes");
			assertThat(this.tags.read("SELECT 1")).as("reads stay constant: prepared on the server")
				.isEqualTo("SELECT 1");
		}
		finally {
			span.end();
		}
		assertThat(this.tags.writeSql("DELETE FROM notes", Optional.empty())).isEqualTo("DELETE FROM notes");
	}

	@Test
	void commentsWritesSqlcommenterStyleWhenAskedTo() {
		StatementTags comments = tags(StatementTagProperties.Mode.WRITE_COMMENTS);
		Optional<String> traceParent = Optional.of(CALLER_TRACEPARENT);
		assertThat(comments.writeSql("DELETE FROM notes", traceParent))
			.isEqualTo("DELETE FROM notes /*traceparent='" + CALLER_TRACEPARENT + "'*/");
		assertThat(comments.read("SELECT 1")).isEqualTo("SELECT 1");
	}

	@Test
	void commentsReadsTooWhenAskedTo() {
		StatementTags all = tags(StatementTagProperties.Mode.ALL_COMMENTS);
		Span span = this.tracer.nextSpan().name("test").start();
		try (Tracer.SpanInScope scope = this.tracer.withSpan(span)) {
			assertThat(all.read("SELECT 1")).startsWith("SELECT 1 /*traceparent='00-" + span.context().traceId());
		}
		finally {
			span.end();
		}
	}

	@Test
	void tagsNothingWhenSwitchedOff() {
		StatementTags none = tags(StatementTagProperties.Mode.NONE);
		assertThat(none.writeSql("DELETE FROM notes", Optional.of(CALLER_TRACEPARENT))).isEqualTo("DELETE FROM notes");
	}

	private StatementTags tags(StatementTagProperties.Mode mode) {
		return new StatementTags(this.tracer, mode, this.leader);
	}

}
