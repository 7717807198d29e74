package dev.paws.backend.notes;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.paws.backend.failover.DependencyUnavailableException;
import dev.paws.backend.failover.FailoverRetry;
import dev.paws.backend.failover.RetryProperties;
import dev.paws.backend.notes.InMemoryNoteRepository.Fault;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class NoteServiceTests {

	/** Deadline long enough for a loaded machine; pauses short so the tests stay fast. */
	private static final RetryProperties PATIENT = new RetryProperties(Duration.ofSeconds(30), Duration.ofMillis(1),
			Duration.ofMillis(5), 2.0);

	private static final RetryProperties IMPATIENT = new RetryProperties(Duration.ofMillis(300), Duration.ofMillis(1),
			Duration.ofMillis(5), 2.0);

	private static final UUID GENERATED = UUID.fromString("00000000-0000-4000-8000-000000000001");

	private final InMemoryNoteRepository repository = new InMemoryNoteRepository();

	private final NoteService notes = new NoteService(this.repository, new FailoverRetry(PATIENT, List.of()),
			() -> GENERATED);

	@Test
	void storesANoteUnderAnIdChosenBeforeTheFirstTry() {
		Note note = this.notes.create("hello", Optional.empty());
		assertThat(note.id()).isEqualTo(GENERATED);
		assertThat(note.text()).isEqualTo("hello");
		assertThat(note.createdAt()).isNotNull();
	}

	@Test
	void waitsForALeaderWhenNoneAnswersYet() {
		this.repository.failNextInserts(Fault.BEFORE_WRITE, Fault.BEFORE_WRITE, Fault.BEFORE_WRITE);
		Note note = this.notes.create("during election", Optional.empty());
		assertThat(note.text()).isEqualTo("during election");
		assertThat(this.repository.insertCalls()).isEqualTo(4);
		assertThat(this.repository.size()).isEqualTo(1);
	}

	@Test
	void storesARetriedWriteOnceWhenTheFirstTryCommittedButItsReplyWasLost() {
		this.repository.failNextInserts(Fault.AFTER_WRITE, Fault.AFTER_WRITE);
		Note note = this.notes.create("committed twice?", Optional.empty());
		assertThat(this.repository.insertCalls()).isEqualTo(3);
		assertThat(this.repository.size()).isEqualTo(1);
		assertThat(this.repository.findById(GENERATED)).contains(note);
	}

	@Test
	void usesTheClientsIdempotencyKeyAsTheNoteId() {
		UUID key = UUID.fromString("7c9e6679-7425-40de-944b-e07fc1f90ae7");
		assertThat(this.notes.create("keyed", Optional.of(key)).id()).isEqualTo(key);
	}

	@Test
	void returnsTheOriginalNoteWhenAClientRepeatsItsIdempotencyKey() {
		UUID key = UUID.randomUUID();
		Note first = this.notes.create("once", Optional.of(key));
		Note replay = this.notes.create("once", Optional.of(key));
		assertThat(replay).isEqualTo(first);
		assertThat(this.repository.size()).isEqualTo(1);
	}

	@Test
	void refusesAnIdempotencyKeyAlreadyUsedForOtherText() {
		UUID key = UUID.randomUUID();
		this.notes.create("original", Optional.of(key));
		assertThatExceptionOfType(IdempotencyKeyReusedException.class)
			.isThrownBy(() -> this.notes.create("something else", Optional.of(key)))
			.satisfies((reused) -> assertThat(reused.getStatusCode().value()).isEqualTo(422));
		assertThat(this.repository.findById(key)).map(Note::text).contains("original");
	}

	@Test
	void answersServiceUnavailableWhenNoLeaderAppearsBeforeTheDeadline() {
		Fault[] forever = new Fault[10_000];
		Arrays.fill(forever, Fault.BEFORE_WRITE);
		this.repository.failNextInserts(forever);
		NoteService impatient = new NoteService(this.repository, new FailoverRetry(IMPATIENT, List.of()), () -> GENERATED);
		assertThatExceptionOfType(DependencyUnavailableException.class)
			.isThrownBy(() -> impatient.create("lost cause", Optional.empty()));
		assertThat(this.repository.size()).isZero();
	}

	@Test
	void reportsAMissingNoteAsNotFound() {
		UUID unknown = UUID.randomUUID();
		assertThatExceptionOfType(NoteNotFoundException.class).isThrownBy(() -> this.notes.get(unknown))
			.withMessageContaining(unknown.toString());
	}

	@Test
	void listsTheNewestNotesFirstUpToTheLimit() {
		NoteService sequential = new NoteService(this.repository, new FailoverRetry(PATIENT, List.of()));
		sequential.create("first", Optional.empty());
		sequential.create("second", Optional.empty());
		sequential.create("third", Optional.empty());
		assertThat(sequential.newest(2)).extracting(Note::text).containsExactly("third", "second");
	}

}
