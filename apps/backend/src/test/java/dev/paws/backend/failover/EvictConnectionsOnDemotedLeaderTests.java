package dev.paws.backend.failover;

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride.Override;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EvictConnectionsOnDemotedLeaderTests {

	private final EvictConnectionsOnDemotedLeader override = new EvictConnectionsOnDemotedLeader();

	@Test
	void evictsAConnectionWhoseServerRefusedAWriteAsReadOnly() {
		assertThat(this.override.adjudicate(new SQLException("cannot execute INSERT in a read-only transaction", "25006")))
			.isEqualTo(Override.MUST_EVICT);
	}

	@Test
	void leavesOtherErrorsToHikariCpsOwnJudgement() {
		assertThat(this.override.adjudicate(new SQLException("duplicate key", "23505"))).isEqualTo(Override.CONTINUE_EVICT);
		assertThat(this.override.adjudicate(new SQLException("connection lost", "08006"))).isEqualTo(Override.CONTINUE_EVICT);
		assertThat(this.override.adjudicate(new SQLException("no state"))).isEqualTo(Override.CONTINUE_EVICT);
	}

	@Test
	void canBeInstantiatedByHikariCpFromItsClassName() throws ReflectiveOperationException {
		Object created = Class.forName("dev.paws.backend.failover.EvictConnectionsOnDemotedLeader").getConstructor().newInstance();
		assertThat(created).isInstanceOf(com.zaxxer.hikari.SQLExceptionOverride.class);
	}

}
