package dev.paws.backend.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code paws.redis.mode}: bound so that a misspelt mode stops the start with the list of valid
 * values, instead of silently falling back to a Sentinel connection without topology refresh.
 */
@ConfigurationProperties("paws.redis")
record RedisModeProperties(@DefaultValue("sentinel") Mode mode) {

	enum Mode {

		/** Find the master through {@code spring.data.redis.sentinel.*}: the production path. */
		SENTINEL,

		/** Talk to {@code spring.data.redis.host:port}: for running the jar on the host. */
		STANDALONE

	}

}
