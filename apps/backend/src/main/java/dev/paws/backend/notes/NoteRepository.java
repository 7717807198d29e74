package dev.paws.backend.notes;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where notes are kept. Writes and reads by id go to the leader; the newest-notes list may come
 * from a replica and so may lag a write by the replication delay.
 */
public interface NoteRepository {

	/**
	 * Stores a note with this id unless one is already stored.
	 * @return whether this call stored it
	 */
	boolean insertIfAbsent(UUID id, String text);

	/** The note with this id, read from the leader. */
	Optional<Note> findById(UUID id);

	/** The newest notes first, read from a replica. */
	List<Note> findNewest(int limit);

}
