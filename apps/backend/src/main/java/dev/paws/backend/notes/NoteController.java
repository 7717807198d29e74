package dev.paws.backend.notes;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/notes}: add a note, read one, list the newest. */
@RestController
@RequestMapping("/api/notes")
class NoteController {

	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	static final int MAX_LIMIT = 100;

	private final NoteService notes;

	NoteController(NoteService notes) {
		this.notes = notes;
	}

	@PostMapping
	ResponseEntity<Note> create(@Valid @RequestBody NewNote note,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) Optional<UUID> idempotencyKey) {
		Note stored = this.notes.create(note.text(), idempotencyKey);
		return ResponseEntity.created(URI.create("/api/notes/" + stored.id())).body(stored);
	}

	@GetMapping("/{id}")
	Note get(@PathVariable UUID id) {
		return this.notes.get(id);
	}

	@GetMapping
	List<Note> newest(@RequestParam(defaultValue = "20") @Min(1) @Max(MAX_LIMIT) int limit) {
		return this.notes.newest(limit);
	}

}
