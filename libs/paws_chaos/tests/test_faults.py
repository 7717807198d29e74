"""Faults: the undo always runs (exception, Ctrl-C, half an injection), in reverse order."""

from __future__ import annotations

from typing import Any

import pytest
from docker.errors import APIError

import paws_chaos.faults as faults_mod
from paws_chaos import (
    Fault,
    FaultNotInjected,
    FaultUnsupported,
    RollbackFailed,
    kill,
    netem,
    pause,
    stop_members,
)


class FakeContainer:
    """Just enough of a docker SDK container, recording each call."""

    def __init__(self, name: str, calls: list[str], fail: str = "") -> None:
        self.id = f"id-{name}"
        self.name = name
        self.status = "running"
        self.attrs: dict[str, Any] = {"State": {"Pid": 1}}
        self._calls = calls
        self._fail = fail

    def _do(self, what: str, status: str) -> None:
        self._calls.append(f"{what} {self.name}")
        if what == self._fail:
            raise RuntimeError(f"{what} failed")
        self.status = status

    def kill(self, signal: str = "SIGKILL") -> None:
        self._do("kill", "exited")

    def start(self) -> None:
        self._do("start", "running")

    def stop(self, timeout: int = 10) -> None:
        self._do("stop", "exited")

    def pause(self) -> None:
        self._do("pause", "paused")

    def unpause(self) -> None:
        self._do("unpause", "running")

    def reload(self) -> None:
        pass


class FreezeRefusingContainer(FakeContainer):
    """`docker pause` answering the cgroup v1 freezer's "unable to freeze" `failures` times."""

    def __init__(self, name: str, calls: list[str], failures: int) -> None:
        super().__init__(name, calls)
        self._failures = failures

    def pause(self) -> None:
        self._calls.append(f"pause {self.name}")
        if self._failures:
            self._failures -= 1
            raise APIError("500 Server Error: OCI runtime pause failed: unable to freeze")
        self.status = "paused"


@pytest.fixture(autouse=True)
def no_undo_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo and freeze retries wait between attempts; not in unit tests."""
    monkeypatch.setattr(faults_mod, "UNDO_PAUSE_S", 0.0)
    monkeypatch.setattr(faults_mod, "FREEZE_PAUSE_S", 0.0)


class TestUndoAlwaysRuns:
    """The promise of every fault."""

    def test_undo_runs_on_normal_exit(self) -> None:
        """kill then start, in that order."""
        calls: list[str] = []
        with kill(FakeContainer("p0", calls)):
            calls.append("body")
        assert calls == ["kill p0", "body", "start p0"]

    def test_undo_runs_when_the_body_raises_and_the_error_propagates(self) -> None:
        """The body's own exception reaches the caller, after the undo."""
        calls: list[str] = []
        with pytest.raises(RuntimeError, match="tc036"), pause(FakeContainer("p1", calls)):
            raise RuntimeError("tc036")
        assert calls == ["pause p1", "unpause p1"]

    def test_undo_runs_on_ctrl_c(self) -> None:
        """KeyboardInterrupt is not an Exception, and still triggers the undo."""
        calls: list[str] = []
        with pytest.raises(KeyboardInterrupt), kill(FakeContainer("p2", calls)):
            raise KeyboardInterrupt
        assert calls[-1] == "start p2"

    def test_composed_faults_undo_in_reverse(self) -> None:
        """`a + b` injects a then b and undoes b then a."""
        calls: list[str] = []
        a, b = FakeContainer("a", calls), FakeContainer("b", calls)
        with pytest.raises(ValueError), pause(a) + kill(b):
            raise ValueError
        assert calls == ["pause a", "kill b", "start b", "unpause a"]

    def test_half_an_injection_is_undone(self) -> None:
        """If the second part fails to inject, the first is still undone."""
        calls: list[str] = []
        good, bad = FakeContainer("a", calls), FakeContainer("b", calls, fail="kill")
        with pytest.raises(FaultNotInjected, match="kill failed"), pause(good) + kill(bad):
            calls.append("body")  # pragma: no cover - never reached
        assert "body" not in calls and calls[-1] == "unpause a"

    def test_stop_members_starts_every_one(self) -> None:
        """Stopping 2 of 3 etcd members restarts both."""
        calls: list[str] = []
        with stop_members([FakeContainer(f"etcd-{i}", calls) for i in range(2)]):
            pass
        assert calls == ["stop etcd-0", "stop etcd-1", "start etcd-1", "start etcd-0"]


class TestRefusedInjection:
    """The engine saying no is "could not run" (exit 2), never a traceback."""

    def test_a_failed_freeze_is_retried(self) -> None:
        """One "unable to freeze" from runc, then the freeze takes."""
        calls: list[str] = []
        with pause(FreezeRefusingContainer("p1", calls, failures=1)):
            calls.append("body")
        assert calls == ["pause p1", "pause p1", "body", "unpause p1"]

    def test_a_freeze_that_keeps_failing_is_could_not_run(self) -> None:
        """After every attempt: FaultNotInjected naming the fault and the engine's reason."""
        calls: list[str] = []
        container = FreezeRefusingContainer("p1", calls, failures=faults_mod.FREEZE_ATTEMPTS)
        refused = pytest.raises(FaultNotInjected, match=r"pause\(p1\).*unable to freeze")
        with refused as caught, pause(container):
            calls.append("body")  # pragma: no cover - never reached
        assert caught.value.exit_code == 2
        assert "body" not in calls
        assert calls.count("pause p1") == faults_mod.FREEZE_ATTEMPTS


class TestFailedUndo:
    """A broken undo is reported, never silently dropped, never masking the body's error."""

    def test_failed_undo_after_clean_body_raises_rollback_failed(self) -> None:
        """Exit 1 material: the remediation names the manual command."""
        calls: list[str] = []
        with pytest.raises(RollbackFailed) as caught, kill(FakeContainer("x", calls, "start")):
            pass
        assert "docker start x" in caught.value.remediation
        assert calls.count("start x") == faults_mod.UNDO_ATTEMPTS

    def test_failed_undo_rides_on_the_body_error_as_a_note(self) -> None:
        """The original error propagates; the failed undo is a note on it."""
        fault = kill(FakeContainer("x", [], "start"))
        with pytest.raises(KeyError) as caught, fault:
            raise KeyError("body")
        assert any("undo of kill(x) failed" in note for note in caught.value.__notes__)
        assert fault.undo_error


class TestFaultShape:
    """Small named callables in the tenacity spirit."""

    def test_a_fault_names_itself(self) -> None:
        """repr reads like the call that made it."""
        assert repr(kill(FakeContainer("redis-0", []))) == "kill(redis-0)"

    def test_an_action_has_nothing_to_undo(self) -> None:
        """A switchover-like action only runs once."""
        calls: list[str] = []
        with Fault("switchover", "a", lambda: calls.append("go"), lambda: None, "nothing"):
            pass
        assert calls == ["go"]


class TestNetem:
    """Latency/loss: refuse clearly where the kernel lacks sch_netem."""

    def test_refuses_without_kernel_support(self) -> None:
        """No pretending: a FaultUnsupported naming the reason and the fix."""
        with pytest.raises(FaultUnsupported) as caught:
            netem(FakeContainer("p0", []), delay_ms=100, support=lambda: "tc netem: unknown qdisc")
        assert "sch_netem" in caught.value.message
        assert "modprobe sch_netem" in caught.value.remediation
