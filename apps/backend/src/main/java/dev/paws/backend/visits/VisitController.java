package dev.paws.backend.visits;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/visits}: count one visit. */
@RestController
class VisitController {

	private final VisitCounter visits;

	VisitController(VisitCounter visits) {
		this.visits = visits;
	}

	@PostMapping("/api/visits")
	Visits visit() {
		return new Visits(this.visits.increment());
	}

	record Visits(long count) {
	}

}
