"""Split-brain detection and leader changes from the watcher's samples (pure logic)."""

from __future__ import annotations

import time

import pytest

from paws_chaos import Attempt, Sample, Watcher
from paws_chaos._logging import configure
from paws_chaos.watcher import (
    NoAnswer,
    first_new_leader,
    lease_lost,
    split_brain_episodes,
    stale_writes,
)


def samples(*claims: tuple[float, tuple[str, ...], tuple[str, ...]]) -> list[Sample]:
    return [Sample(at, pg, rd) for at, pg, rd in claims]


class TestSplitBrain:
    """Two writable claims at once are an episode; one episode per contiguous run."""

    def test_single_leader_throughout_is_clean(self) -> None:
        """One leader and one master at every instant: no event."""
        seen = samples((0, ("a",), ("r",)), (1, ("b",), ("r",)), (2, (), ()))
        assert split_brain_episodes(seen) == []

    def test_contiguous_double_claims_are_one_episode(self) -> None:
        """Three samples with two leaders in a row count once."""
        seen = samples(*[(t, ("a", "b"), ("r",)) for t in range(3)], (3, ("b",), ("r",)))
        episodes = split_brain_episodes(seen)
        assert len(episodes) == 1 and episodes[0].nodes == ("a", "b")

    def test_redis_double_master_is_detected(self) -> None:
        """Two Redis masters at once are a split brain of their own kind."""
        episodes = split_brain_episodes(samples((0, ("a",), ("r", "q"))))
        assert [e.kind for e in episodes] == ["redis"]


class TestStaleWrites:
    """An ack served by a node while another held the lease."""

    def test_ack_from_old_leader_after_promotion_is_an_event(self) -> None:
        """The old leader acknowledging while the watcher sees only the new one lead."""
        seen = samples((1.0, ("a",), ()), (2.0, ("b",), ()))
        events = stale_writes([Attempt("9", 1.9, 2.2, "acked", node="a")], seen)
        assert len(events) == 1 and "id 9" in events[0].detail

    def test_ack_from_the_leader_is_fine(self) -> None:
        """Acks from whoever leads at the time are normal."""
        seen = samples((1.0, ("a",), ()), (2.0, ("b",), ()))
        assert stale_writes([Attempt("9", 1.9, 2.2, "acked", node="b")], seen) == []


class TestLeaderChange:
    """When a new leader becomes visible, and when the old one lost its lease."""

    def test_first_new_leader_ignores_the_old_one_and_gaps(self) -> None:
        """The first sample after the fault with one other node claiming."""
        seen = samples((0, ("a",), ()), (1, (), ()), (2, ("a", "b"), ()), (3, ("b",), ()))
        found = first_new_leader(seen, "a", since=0.5)
        assert found is not None and found.at == 3

    def test_redis_master_change(self) -> None:
        """The same rule for Redis masters."""
        seen = samples((0, (), ("r",)), (1, (), ("q",)))
        found = first_new_leader(seen, "r", since=0, kind="redis")
        assert found is not None and found.redis_masters == ("q",)

    def test_lease_lost(self) -> None:
        """The first sample in which the node no longer claims."""
        seen = samples((0, ("a",), ()), (1, ("a",), ()), (2, (), ()))
        lost = lease_lost(seen, "a", since=0)
        assert lost is not None and lost.at == 2


class TestSampleAccounting:
    """Every poll is either a sample or a counted, logged failure; none vanishes."""

    def watcher(self, monkeypatch: pytest.MonkeyPatch, answers: bool) -> Watcher:
        watcher = Watcher(lambda: {"patroni-0": "a", "patroni-1": "b", "redis-0": "c"}, "pw", 0.01)
        primary = (True, 2, True) if answers else (False, None, False)
        monkeypatch.setattr(watcher, "_primary", lambda address: primary)
        monkeypatch.setattr(watcher, "_role", lambda address: "master" if answers else None)
        return watcher

    def test_no_answer_from_any_node_is_a_failed_sample(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A poll in which nobody answered is not evidence of "nobody leads"."""
        with pytest.raises(NoAnswer):
            self.watcher(monkeypatch, answers=False).sample()

    def test_failed_polls_are_counted_and_logged(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The background loop counts each failure, logs it, and keeps polling."""
        configure("warning")
        watcher = self.watcher(monkeypatch, answers=False).start()
        time.sleep(0.2)
        watcher.stop()
        assert watcher.samples == [] and watcher.failed >= 3
        assert "NoAnswer" in watcher.last_failure
        assert capsys.readouterr().err.count("watcher.sample_failed") == watcher.failed

    def test_answers_are_samples(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Nodes that answer give a sample with their claims and no failure."""
        watcher = self.watcher(monkeypatch, answers=True).start()
        time.sleep(0.1)
        watcher.stop()
        assert watcher.failed == 0 and watcher.samples
        assert watcher.samples[0].pg_leaders == ("patroni-0", "patroni-1")
