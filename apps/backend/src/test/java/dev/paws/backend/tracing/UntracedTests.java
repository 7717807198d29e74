package dev.paws.backend.tracing;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * The app with Micrometer Tracing left out (its auto-configurations excluded, as the tracing
 * benchmark's untraced mode does): it still starts and serves, names no trace and tags no SQL.
 */
@SpringBootTest(properties = { "spring.flyway.enabled=false",
		"spring.autoconfigure.exclude=org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration,"
				+ "org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration,"
				+ "org.springframework.boot.actuate.autoconfigure.tracing.NoopTracerAutoConfiguration" })
@AutoConfigureMockMvc
@AutoConfigureObservability
class UntracedTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	StatementTags tags;

	@Test
	void servesWithoutNamingATrace() throws Exception {
		MvcResult result = this.mvc.perform(get("/actuator/health/liveness")).andReturn();
		assertThat(result.getResponse().getStatus()).isEqualTo(200);
		assertThat(result.getResponse().getHeader(TraceResponseHeaders.TRACE_ID)).isNull();
		assertThat(this.tags.currentTraceParent()).as("no tracer: nothing to tag a write with").isEmpty();
	}

}
