package dev.paws.backend.notes;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** The body of {@code POST /api/notes}. */
public record NewNote(@NotBlank @Size(max = NewNote.MAX_LENGTH) String text) {

	public static final int MAX_LENGTH = 2000;

}
