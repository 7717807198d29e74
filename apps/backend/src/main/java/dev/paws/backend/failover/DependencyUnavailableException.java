package dev.paws.backend.failover;

import java.time.Duration;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A dependency stayed unavailable for the whole retry deadline: answered as 503 with Retry-After,
 * so a client knows the request was not carried out and may be sent again.
 */
public class DependencyUnavailableException extends ErrorResponseException {

	public DependencyUnavailableException(String dependency, Duration deadline, Throwable cause) {
		super(HttpStatus.SERVICE_UNAVAILABLE, problem(dependency, deadline), cause);
		getHeaders().set("Retry-After", "1");
	}

	private static ProblemDetail problem(String dependency, Duration deadline) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"%s did not answer within the retry deadline of %d s".formatted(dependency, deadline.toSeconds()));
		problem.setTitle("Dependency unavailable");
		problem.setProperty("dependency", dependency);
		return problem;
	}

}
