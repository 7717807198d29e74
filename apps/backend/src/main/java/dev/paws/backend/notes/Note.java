package dev.paws.backend.notes;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A stored note. {@code createdAt} is the database's clock, set when the row was inserted. */
public record Note(UUID id, String text, @JsonProperty("created_at") Instant createdAt) {
}
