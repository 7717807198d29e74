package dev.paws.backend.notes;

import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An Idempotency-Key already names a note with different text: 422, because replaying the key
 * must return the original note, and storing the new text would break that promise.
 */
class IdempotencyKeyReusedException extends ErrorResponseException {

	IdempotencyKeyReusedException(UUID key) {
		super(HttpStatus.UNPROCESSABLE_ENTITY, problem(key), null);
	}

	private static ProblemDetail problem(UUID key) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_ENTITY,
				"Idempotency-Key %s was already used for a note with different text; send a new key for a new note"
					.formatted(key));
		problem.setTitle("Idempotency-Key reused");
		return problem;
	}

}
