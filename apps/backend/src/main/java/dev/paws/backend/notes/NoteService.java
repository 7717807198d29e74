package dev.paws.backend.notes;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import dev.paws.backend.failover.FailoverRetry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Notes, kept answering through a PostgreSQL failover: every call is retried while the leader is
 * missing, and a retried write is stored once.
 */
@Service
public class NoteService {

	static final String DEPENDENCY = "postgres";

	private final NoteRepository repository;

	private final FailoverRetry retry;

	private final Supplier<UUID> newIds;

	@Autowired
	public NoteService(NoteRepository repository, FailoverRetry retry) {
		this(repository, retry, UUID::randomUUID);
	}

	NoteService(NoteRepository repository, FailoverRetry retry, Supplier<UUID> newIds) {
		this.repository = repository;
		this.retry = retry;
		this.newIds = newIds;
	}

	/**
	 * Stores a note and returns it as stored.
	 * @param idempotencyKey the note's id if the client chose one; sending the same key again
	 * returns the same note instead of storing a second one
	 */
	public Note create(String text, Optional<UUID> idempotencyKey) {
		// The id is fixed before the first try, so every retry names the same row.
		UUID id = idempotencyKey.orElseGet(this.newIds);
		Note stored = this.retry.call(DEPENDENCY, () -> {
			this.repository.insertIfAbsent(id, text);
			return this.repository.findById(id).orElseThrow(() -> new IllegalStateException(
					"note " + id + " was not found on the leader right after it was stored"));
		});
		if (!stored.text().equals(text)) {
			throw new IdempotencyKeyReusedException(id);
		}
		return stored;
	}

	public Note get(UUID id) {
		return this.retry.call(DEPENDENCY, () -> this.repository.findById(id)).orElseThrow(() -> new NoteNotFoundException(id));
	}

	public List<Note> newest(int limit) {
		return this.retry.call(DEPENDENCY, () -> this.repository.findNewest(limit));
	}

}
