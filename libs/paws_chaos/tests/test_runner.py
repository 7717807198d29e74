"""The experiment's decisions that need no stack: the steady-state refusal, who leads, how
long a hold lasts, what a rollback reports, and what cleanup leaves listed in the journal.
The stack is a fake that answers health and names a state directory; nothing is injected."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from paws_chaos import ChaosSettings, Fault, NotSteadyState, StackUnavailable, load_scenario, runner
from paws_chaos.runner import Experiment, _rollback_state
from paws_chaos.scenarios import Hold
from paws_chaos.steady import named, steady_state
from paws_stack import Component, HealthReport, PawsStackError, ProbeError


def report(healthy: bool = True, problems: tuple[str, ...] = ()) -> HealthReport:
    components = [
        Component(name="patroni-0", kind="patroni", healthy=True, role="replica"),
        Component(name="patroni-1", kind="patroni", healthy=True, role="leader"),
        Component(name="redis-0", kind="redis", healthy=True, role="master"),
    ]
    return HealthReport(
        healthy=healthy, profile="full", project="p", problems=list(problems), components=components
    )


class FakeStack:
    """What the runner reads of a Stack before anything reaches the engine."""

    project = "p"

    def __init__(self, state: Path, health: HealthReport | Exception) -> None:
        self.settings = SimpleNamespace(state_path=state)
        self._health = health

    def health(self) -> HealthReport:
        if isinstance(self._health, Exception):
            raise self._health
        return self._health


class TestSteadyState:
    """Nothing is injected unless the stack is healthy; the refusal says why."""

    def test_a_healthy_stack_is_the_steady_state(self, tmp_path: Path) -> None:
        before = report()
        assert steady_state(FakeStack(tmp_path, before)) is before  # type: ignore[arg-type]

    def test_an_unhealthy_stack_is_refused_with_its_problems(self, tmp_path: Path) -> None:
        stack = FakeStack(tmp_path, report(healthy=False, problems=("patroni-2: down",)))
        with pytest.raises(NotSteadyState, match="nothing was injected: patroni-2: down"):
            steady_state(stack)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("error", "remediation"),
        [
            (ProbeError("not running", "start it with `paws-stack up`"), "paws-stack up"),
            (PawsStackError("engine gone"), "paws-stack health"),
        ],
    )
    def test_a_stack_that_cannot_answer_is_unavailable(
        self, tmp_path: Path, error: Exception, remediation: str
    ) -> None:
        """paws_stack's own error becomes the chaos error, its fix kept or named."""
        with pytest.raises(StackUnavailable) as caught:
            steady_state(FakeStack(tmp_path, error))  # type: ignore[arg-type]
        assert remediation in caught.value.remediation


def test_named_finds_the_role_holder() -> None:
    """The old leader and old master are read from the steady-state report."""
    assert named(report(), "patroni", "leader") == "patroni-1"
    assert named(report(), "redis", "master") == "redis-0"


def fault(name: str, undo_error: str | None = None) -> Fault:
    made = Fault("pause", name, lambda: None, lambda: None, "unpause it")
    made.undo_error = undo_error
    return made


class TestRollbackState:
    """After an interruption or a refused fault: "done", or which undo failed and why."""

    def test_all_undone_is_done(self) -> None:
        assert _rollback_state([fault("a"), fault("b")]) == "done"
        assert _rollback_state([]) == "done"

    def test_failed_undos_are_named(self) -> None:
        faults = [fault("a"), fault("b", "APIError: gone"), fault("c", "timeout")]
        assert _rollback_state(faults) == "failed: pause(b): APIError: gone; pause(c): timeout"


def experiment(tmp_path: Path, hold: Hold | None = None) -> Experiment:
    scenario = load_scenario("leader-freeze")
    if hold is not None:
        scenario = scenario.model_copy(update={"hold": hold})
    return Experiment(FakeStack(tmp_path, report()), scenario, ChaosSettings())  # type: ignore[arg-type]


class TestHold:
    """The faults stay `seconds` + `ttls` x Patroni's ttl after the trigger."""

    def sleeps(self, monkeypatch: pytest.MonkeyPatch) -> list[float]:
        slept: list[float] = []
        monkeypatch.setattr(runner.time, "sleep", slept.append)
        return slept

    def test_hold_counts_in_the_live_ttl(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        slept = self.sleeps(monkeypatch)
        run = experiment(tmp_path, Hold(seconds=2, ttls=1.5))
        run.run_.watcher, run.run_.trigger, run.run_.config = object(), 1.0, {"ttl": 10}  # type: ignore[assignment]
        run._hold()
        assert slept == [17.0]

    def test_without_a_live_ttl_patronis_default_is_used(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        slept = self.sleeps(monkeypatch)
        run = experiment(tmp_path, Hold(ttls=1))
        run.run_.watcher, run.run_.trigger = object(), 1.0  # type: ignore[assignment]
        run._hold()
        assert slept == [30.0]

    def test_nothing_injected_means_no_hold(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No trigger (no fault went in): the experiment does not wait at all."""
        slept = self.sleeps(monkeypatch)
        experiment(tmp_path, Hold(seconds=5))._hold()
        assert slept == []


class Writer:
    """A workload whose cleanup fails `failures` times before it works."""

    def __init__(self, workload: str, failures: int) -> None:
        self.workload, self.failures, self.calls = workload, failures, 0

    def _clean(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError("connection refused")


class TestCleanup:
    """Cleanup retries; what it could not remove stays listed, with the recover command."""

    @pytest.fixture(autouse=True)
    def no_pause(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(runner, "CLEANUP_PAUSE_S", 0.0)
        monkeypatch.setattr(runner, "_clean", lambda writer: writer._clean())

    def add(self, run: Experiment, writer: Writer) -> None:
        undo = runner.Undo(action="drop_table", table="chaos_0123456789")
        run._journal_workload(writer, undo)  # type: ignore[arg-type]

    def test_a_cleanup_that_works_on_a_retry_empties_the_journal(self, tmp_path: Path) -> None:
        run = experiment(tmp_path)
        writer = Writer("postgres", failures=runner.CLEANUP_ATTEMPTS - 1)
        self.add(run, writer)
        assert run.journal.path.is_file()
        run._cleanup()
        assert writer.calls == runner.CLEANUP_ATTEMPTS
        assert run.journal.empty and not run.journal.path.exists()
        assert run.run_.still_broken == [] and run.run_.remediation == []

    def test_a_cleanup_that_keeps_failing_is_reported_and_kept(self, tmp_path: Path) -> None:
        run = experiment(tmp_path)
        self.add(run, Writer("postgres", failures=runner.CLEANUP_ATTEMPTS))
        run._cleanup()
        broken = run.run_.still_broken
        assert broken[0] == "could not clean up the postgres workload: connection refused"
        assert broken[1].startswith(f"left in place, listed in {run.journal.path}")
        assert run.run_.remediation == [f"run `{runner.RECOVER_COMMAND}`"]
        assert run.journal.path.is_file()


def test_run_scenario_refuses_an_unhealthy_stack_before_anything(tmp_path: Path) -> None:
    """No workload, no journal: the steady-state check comes first."""
    stack: Any = FakeStack(tmp_path, report(healthy=False, problems=("redis-1: down",)))
    with pytest.raises(NotSteadyState):
        runner.run_scenario(stack, load_scenario("leader-freeze"), ChaosSettings())
    assert list(tmp_path.rglob("*")) == []
