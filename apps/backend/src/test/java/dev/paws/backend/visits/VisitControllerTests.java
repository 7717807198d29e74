package dev.paws.backend.visits;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static org.mockito.BDDMockito.given;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@WebMvcTest(VisitController.class)
class VisitControllerTests {

	@Autowired
	private MockMvc mvc;

	@MockitoBean
	private VisitCounter visits;

	@Test
	void answersTheNewCount() throws Exception {
		given(this.visits.increment()).willReturn(42L);
		this.mvc.perform(post("/api/visits")).andExpect(status().isOk()).andExpect(jsonPath("$.count").value(42));
	}

	@Test
	void countsOnlyOnPost() throws Exception {
		this.mvc.perform(get("/api/visits")).andExpect(status().isMethodNotAllowed());
	}

}
