package dev.paws.backend.failover;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.retry.RetryListener;
import org.springframework.retry.support.MetricsRetryListener;

@Configuration(proxyBeanMethods = false)
class FailoverConfiguration {

	@Bean
	FailoverRetry failoverRetry(RetryProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
		List<RetryListener> listeners = new ArrayList<>();
		// spring_retry_seconds{name="postgres"|"redis", retry_count="n"} in /actuator/prometheus.
		meterRegistry.ifAvailable((registry) -> listeners.add(new MetricsRetryListener(registry)));
		return new FailoverRetry(properties, listeners);
	}

}
