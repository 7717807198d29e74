package dev.paws.backend.notes;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.jdbc.UncategorizedSQLException;

/**
 * A NoteRepository in memory that can be told to fail the way PostgreSQL fails in a failover:
 * before a write (no leader yet) or after it (committed, then the connection dropped).
 */
class InMemoryNoteRepository implements NoteRepository {

	enum Fault {

		/** The insert never reached a leader. */
		BEFORE_WRITE,

		/** The insert committed, then the connection broke before the reply came back. */
		AFTER_WRITE

	}

	private final Map<UUID, Note> rows = new LinkedHashMap<>();

	private final Deque<Fault> faults = new ArrayDeque<>();

	private final AtomicInteger insertCalls = new AtomicInteger();

	private Instant clock = Instant.parse("2026-01-01T00:00:00Z");

	void failNextInserts(Fault... faults) {
		this.faults.addAll(List.of(faults));
	}

	int insertCalls() {
		return this.insertCalls.get();
	}

	int size() {
		return this.rows.size();
	}

	@Override
	public synchronized boolean insertIfAbsent(UUID id, String text) {
		this.insertCalls.incrementAndGet();
		Fault fault = this.faults.poll();
		if (fault == Fault.BEFORE_WRITE) {
			throw connectionLost();
		}
		boolean inserted = false;
		if (!this.rows.containsKey(id)) {
			this.clock = this.clock.plusSeconds(1);
			this.rows.put(id, new Note(id, text, this.clock));
			inserted = true;
		}
		if (fault == Fault.AFTER_WRITE) {
			throw connectionLost();
		}
		return inserted;
	}

	@Override
	public synchronized Optional<Note> findById(UUID id) {
		return Optional.ofNullable(this.rows.get(id));
	}

	@Override
	public synchronized List<Note> findNewest(int limit) {
		return this.rows.values().stream().sorted(Comparator.comparing(Note::createdAt).reversed()).limit(limit).toList();
	}

	private static UncategorizedSQLException connectionLost() {
		return new UncategorizedSQLException("insert note", "INSERT INTO notes",
				new SQLException("An I/O error occurred while sending to the backend.", "08006"));
	}

}
