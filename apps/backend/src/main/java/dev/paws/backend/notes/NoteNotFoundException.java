package dev.paws.backend.notes;

import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** No note has the requested id: 404. */
class NoteNotFoundException extends ErrorResponseException {

	NoteNotFoundException(UUID id) {
		super(HttpStatus.NOT_FOUND, ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no note has id " + id),
				null);
		getBody().setTitle("Note not found");
	}

}
