package dev.paws.backend.system;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.Delay;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.RedisConnectionDetails;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lettuce tuned to follow a Sentinel failover without a restart.
 *
 * <p>{@code paws.redis.mode=sentinel} (the default) is the production path: the master is found
 * through the Sentinels. {@code standalone} talks to {@code spring.data.redis.host:port} directly;
 * it exists for running the jar on the host, where the names the Sentinels announce do not resolve.
 */
@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

	static final String MODE = "paws.redis.mode";

	/**
	 * Reconnects quickly: Lettuce's default backoff grows to 30 s, longer than a request's retry
	 * deadline, so after a long outage the first request would find no connection to use.
	 */
	@Bean
	ClientResourcesBuilderCustomizer quickReconnects() {
		return (resources) -> resources
			.reconnectDelay(Delay.equalJitter(Duration.ofMillis(50), Duration.ofSeconds(1), 50, TimeUnit.MILLISECONDS));
	}

	/**
	 * TCP keepalive probes find a master that vanished without closing its connections (a paused
	 * or partitioned container) within about 5 s, instead of the kernel's two hours.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer keepAliveProbes(RedisProperties properties) {
		return (options) -> {
			SocketOptions.Builder socket = SocketOptions.builder()
				.keepAlive(SocketOptions.KeepAliveOptions.builder()
					.enable()
					.idle(Duration.ofSeconds(2))
					.interval(Duration.ofSeconds(1))
					.count(3)
					.build());
			if (properties.getConnectTimeout() != null) {
				socket.connectTimeout(properties.getConnectTimeout());
			}
			options.socketOptions(socket.build());
		};
	}

	/**
	 * A master/replica connection through Sentinel, reading from the master only. Unlike a plain
	 * connection, it subscribes to the Sentinels' events (+switch-master and the like) and moves to
	 * the new master as soon as one is announced, instead of waiting for its socket to break.
	 */
	@Bean
	@ConditionalOnProperty(name = MODE, havingValue = "sentinel", matchIfMissing = true)
	LettuceClientConfigurationBuilderCustomizer followSentinelTopology() {
		return (client) -> client.readFrom(ReadFrom.UPSTREAM);
	}

	/** Host-run convenience: ignore the Sentinel settings and talk to one address. */
	@Bean
	@ConditionalOnProperty(name = MODE, havingValue = "standalone")
	RedisConnectionDetails standaloneRedis(RedisProperties properties) {
		return new RedisConnectionDetails() {

			@Override
			public String getUsername() {
				return properties.getUsername();
			}

			@Override
			public String getPassword() {
				return properties.getPassword();
			}

			@Override
			public Standalone getStandalone() {
				return Standalone.of(properties.getHost(), properties.getPort(), properties.getDatabase());
			}

		};
	}

}
