package dev.paws.backend.notes;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import dev.paws.backend.system.Replica;
import dev.paws.backend.tracing.StatementTags;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Notes in PostgreSQL's {@code notes} table (see db/migration). */
@Repository
class JdbcNoteRepository implements NoteRepository {

	private final JdbcClient leader;

	private final JdbcClient replica;

	private final StatementTags tags;

	JdbcNoteRepository(JdbcClient leader, @Replica DataSource replicaDataSource, StatementTags tags) {
		this.leader = leader;
		this.replica = JdbcClient.create(replicaDataSource);
		this.tags = tags;
	}

	@Override
	public boolean insertIfAbsent(UUID id, String text) {
		// ON CONFLICT makes a retried insert a no-op: the first try may have committed before its
		// reply was lost in a failover.
		int inserted = this.tags.update(
				"INSERT INTO notes (id, text) VALUES (:id, :text) ON CONFLICT (id) DO NOTHING",
				Map.of("id", id, "text", text));
		return inserted == 1;
	}

	@Override
	public Optional<Note> findById(UUID id) {
		return this.leader.sql(this.tags.read("SELECT id, text, created_at FROM notes WHERE id = :id"))
			.param("id", id)
			.query(JdbcNoteRepository::note)
			.optional();
	}

	@Override
	public List<Note> findNewest(int limit) {
		return this.replica
			.sql(this.tags.read("SELECT id, text, created_at FROM notes ORDER BY created_at DESC, id LIMIT :limit"))
			.param("limit", limit)
			.query(JdbcNoteRepository::note)
			.list();
	}

	private static Note note(ResultSet row, int rowNumber) throws SQLException {
		return new Note(row.getObject("id", UUID.class), row.getString("text"),
				row.getObject("created_at", OffsetDateTime.class).toInstant());
	}

}
