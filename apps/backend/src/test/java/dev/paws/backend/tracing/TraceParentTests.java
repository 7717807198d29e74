package dev.paws.backend.tracing;

import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TraceParentTests {

	@Test
	void formatsTheW3cHeaderValue() {
		assertThat(TraceParent.format("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true))
			.isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
		assertThat(TraceParent.format("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", false)).endsWith("-00");
	}

	@Test
	void readsTheTraceIdBackOutOfAValue() {
		assertThat(TraceParent.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
			.isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
	}

	@Test
	void isEmptyWhenTracingIsOff() {
		assertThat(TraceParent.current(Tracer.NOOP)).isEmpty();
	}

}
