package dev.paws.backend.notes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.paws.backend.failover.DependencyUnavailableException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@WebMvcTest(NoteController.class)
class NoteControllerTests {

	private static final UUID ID = UUID.fromString("3f1c2b9e-8d7a-4e6f-9b1a-2c3d4e5f6a7b");

	private static final Note NOTE = new Note(ID, "hello", Instant.parse("2026-12-01T10:15:30.123456Z"));

	@Autowired
	private MockMvc mvc;

	@MockitoBean
	private NoteService notes;

	@Nested
	class Create {

		@Test
		void answersCreatedWithTheStoredNote() throws Exception {
			given(NoteControllerTests.this.notes.create("hello", Optional.empty())).willReturn(NOTE);
			NoteControllerTests.this.mvc.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("{\"text\": \"hello\"}"))
				.andExpect(status().isCreated())
				.andExpect(header().string("Location", "/api/notes/" + ID))
				.andExpect(jsonPath("$.id").value(ID.toString()))
				.andExpect(jsonPath("$.text").value("hello"))
				.andExpect(jsonPath("$.created_at").value("2026-12-01T10:15:30.123456Z"));
		}

		@Test
		void passesTheIdempotencyKeyOn() throws Exception {
			given(NoteControllerTests.this.notes.create("hello", Optional.of(ID))).willReturn(NOTE);
			NoteControllerTests.this.mvc
				.perform(post("/api/notes").header("Idempotency-Key", ID.toString())
					.contentType(MediaType.APPLICATION_JSON)
					.content("{\"text\": \"hello\"}"))
				.andExpect(status().isCreated());
			verify(NoteControllerTests.this.notes).create("hello", Optional.of(ID));
		}

		@Test
		void rejectsAnIdempotencyKeyThatIsNotAUuid() throws Exception {
			NoteControllerTests.this.mvc
				.perform(post("/api/notes").header("Idempotency-Key", "not-a-uuid")
					.contentType(MediaType.APPLICATION_JSON)
					.content("{\"text\": \"hello\"}"))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
			verifyNoInteractions(NoteControllerTests.this.notes);
		}

		@Test
		void rejectsBlankTextNamingTheField() throws Exception {
			NoteControllerTests.this.mvc.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("{\"text\": \"   \"}"))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.title").value("Invalid request"))
				.andExpect(jsonPath("$.detail").value("text: must not be blank"))
				.andExpect(jsonPath("$.errors[0].field").value("text"));
			verifyNoInteractions(NoteControllerTests.this.notes);
		}

		@Test
		void rejectsAMissingTextField() throws Exception {
			NoteControllerTests.this.mvc.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("{}"))
				.andExpect(status().isBadRequest())
				.andExpect(jsonPath("$.errors[0].field").value("text"));
		}

		@Test
		void rejectsTextLongerThanTheLimit() throws Exception {
			String tooLong = "x".repeat(NewNote.MAX_LENGTH + 1);
			NoteControllerTests.this.mvc
				.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("{\"text\": \"" + tooLong + "\"}"))
				.andExpect(status().isBadRequest())
				.andExpect(jsonPath("$.detail").value("text: size must be between 0 and 2000"));
		}

		@Test
		void acceptsTextOfExactlyTheLimit() throws Exception {
			String longest = "x".repeat(NewNote.MAX_LENGTH);
			given(NoteControllerTests.this.notes.create(longest, Optional.empty())).willReturn(new Note(ID, longest, NOTE.createdAt()));
			NoteControllerTests.this.mvc
				.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("{\"text\": \"" + longest + "\"}"))
				.andExpect(status().isCreated());
		}

		@Test
		void rejectsABodyThatIsNotJson() throws Exception {
			NoteControllerTests.this.mvc.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("text=hello"))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		}

		@Test
		void answersUnprocessableWhenTheKeyWasUsedForOtherText() throws Exception {
			given(NoteControllerTests.this.notes.create("other", Optional.of(ID))).willThrow(new IdempotencyKeyReusedException(ID));
			NoteControllerTests.this.mvc
				.perform(post("/api/notes").header("Idempotency-Key", ID.toString())
					.contentType(MediaType.APPLICATION_JSON)
					.content("{\"text\": \"other\"}"))
				.andExpect(status().isUnprocessableEntity())
				.andExpect(jsonPath("$.detail").value(containsString(ID.toString())));
		}

		@Test
		void answersServiceUnavailableWithRetryAfterWhenTheDeadlinePassed() throws Exception {
			given(NoteControllerTests.this.notes.create(anyString(), any()))
				.willThrow(new DependencyUnavailableException("postgres", Duration.ofSeconds(30), new RuntimeException()));
			NoteControllerTests.this.mvc.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("{\"text\": \"hello\"}"))
				.andExpect(status().isServiceUnavailable())
				.andExpect(header().string("Retry-After", "1"))
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.dependency").value("postgres"))
				.andExpect(jsonPath("$.detail").value("postgres did not answer within the retry deadline of 30 s"));
		}

		@Test
		void hidesTheCauseOfAnUnexpectedFailure() throws Exception {
			given(NoteControllerTests.this.notes.create(anyString(), any())).willThrow(new IllegalStateException("secret internals"));
			NoteControllerTests.this.mvc.perform(post("/api/notes").contentType(MediaType.APPLICATION_JSON).content("{\"text\": \"hello\"}"))
				.andExpect(status().isInternalServerError())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(content().string(org.hamcrest.Matchers.not(containsString("secret internals"))));
		}

	}

	@Nested
	class Read {

		@Test
		void answersTheNoteById() throws Exception {
			given(NoteControllerTests.this.notes.get(ID)).willReturn(NOTE);
			NoteControllerTests.this.mvc.perform(get("/api/notes/{id}", ID))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.text").value("hello"));
		}

		@Test
		void answersNotFoundForAnUnknownId() throws Exception {
			given(NoteControllerTests.this.notes.get(ID)).willThrow(new NoteNotFoundException(ID));
			NoteControllerTests.this.mvc.perform(get("/api/notes/{id}", ID))
				.andExpect(status().isNotFound())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.detail").value("no note has id " + ID));
		}

		@Test
		void answersBadRequestForAnIdThatIsNotAUuid() throws Exception {
			NoteControllerTests.this.mvc.perform(get("/api/notes/{id}", "42"))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		}

	}

	@Nested
	class Newest {

		@Test
		void listsTwentyByDefault() throws Exception {
			given(NoteControllerTests.this.notes.newest(20)).willReturn(List.of(NOTE));
			NoteControllerTests.this.mvc.perform(get("/api/notes"))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$[0].id").value(ID.toString()));
			verify(NoteControllerTests.this.notes).newest(20);
		}

		@Test
		void listsAsManyAsAsked() throws Exception {
			given(NoteControllerTests.this.notes.newest(100)).willReturn(List.of());
			NoteControllerTests.this.mvc.perform(get("/api/notes").param("limit", "100")).andExpect(status().isOk());
			verify(NoteControllerTests.this.notes).newest(eq(100));
		}

		@Test
		void rejectsALimitAboveTheMaximum() throws Exception {
			NoteControllerTests.this.mvc.perform(get("/api/notes").param("limit", "101"))
				.andExpect(status().isBadRequest())
				.andExpect(jsonPath("$.detail").value("limit: must be less than or equal to 100"));
			verify(NoteControllerTests.this.notes, org.mockito.Mockito.never()).newest(anyInt());
		}

		@Test
		void rejectsALimitBelowOne() throws Exception {
			NoteControllerTests.this.mvc.perform(get("/api/notes").param("limit", "0"))
				.andExpect(status().isBadRequest())
				.andExpect(jsonPath("$.errors[0].field").value("limit"));
		}

		@Test
		void rejectsALimitThatIsNotANumber() throws Exception {
			NoteControllerTests.this.mvc.perform(get("/api/notes").param("limit", "many"))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		}

	}

}
