"""What `up` and `health` see of an interrupted chaos experiment: the journal contract and
paused members (paws_stack reads the file; it never imports paws_chaos)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from paws_stack import HealthReport, PawsStackError, lifecyclecli, statuscli
from paws_stack.interrupted import RECOVER_COMMAND, find_leftovers, journal_path, process_start
from paws_stack.probes import Member


def members(*states: str) -> list[Member]:
    return [
        Member(f"patroni-{i}", "patroni", f"p-patroni-{i}-1", f"10.0.0.{i}", state)
        for i, state in enumerate(states)
    ]


def write(state: Path, project: str, pid: int, started: int | None) -> Path:
    path = journal_path(state, project)
    path.parent.mkdir(parents=True)
    document = {
        "format": 1,
        "project": project,
        "pid": pid,
        "pid_start": started,
        "scenario": "leader-freeze",
        "faults": [{"id": "f2", "what": "pause(patroni-1)", "undo": []}],
        "workloads": [{"id": "w1", "what": "drop table chaos_0123456789", "undo": []}],
    }
    path.write_text(json.dumps(document))
    return path


def ended_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


class TestFindLeftovers:
    """A stale journal or a paused member is found; a running experiment is told apart."""

    def test_nothing_left(self, tmp_path: Path) -> None:
        """No journal, every member running: nothing found."""
        found = find_leftovers(tmp_path, "p", members("running", "running"))
        assert not found.found and found.problems() == []

    def test_paused_member_without_a_journal(self, tmp_path: Path) -> None:
        """An older paws or a hand-made `docker pause` still counts."""
        found = find_leftovers(tmp_path, "p", members("running", "paused"))
        assert found.found and found.problems() == ["paused member(s): patroni-1"]

    def test_stale_journal_lists_its_faults(self, tmp_path: Path) -> None:
        """The writer is gone: its faults and workloads are listed."""
        path = write(tmp_path, "p", ended_pid(), None)
        found = find_leftovers(tmp_path, "p", members("running"))
        assert found.found and found.journal == path
        assert found.faults == ["pause(patroni-1)", "drop table chaos_0123456789"]
        assert "pause(patroni-1)" in found.problems()[0]

    def test_live_writer_is_a_running_experiment(self, tmp_path: Path) -> None:
        """Same pid and start time as a live process: running, not left over."""
        write(tmp_path, "p", os.getpid(), process_start(os.getpid()))
        found = find_leftovers(tmp_path, "p", members("paused"))
        assert not found.found and found.running_pid == os.getpid()
        assert found.problems() == [f"a chaos experiment is running (pid {os.getpid()})"]

    def test_reused_pid_is_not_the_writer(self, tmp_path: Path) -> None:
        """A live pid with another start time is a different process: the journal is stale."""
        write(tmp_path, "p", os.getpid(), (process_start(os.getpid()) or 0) + 1)
        assert find_leftovers(tmp_path, "p", members("running")).found

    def test_journal_is_per_project(self, tmp_path: Path) -> None:
        """`pawstest`'s journal is not `paws`'s."""
        write(tmp_path, "pawstest", ended_pid(), None)
        assert not find_leftovers(tmp_path, "paws", members("running")).found

    def test_damaged_journal_is_reported(self, tmp_path: Path) -> None:
        """A torn file is a finding, not a crash."""
        path = journal_path(tmp_path, "p")
        path.parent.mkdir(parents=True)
        path.write_text("{")
        found = find_leftovers(tmp_path, "p", members("running"))
        assert found.found and "not JSON" in found.faults[0]


class FakeStack:
    """What `up` and `health` read before touching compose: state path, project, members."""

    def __init__(self, state: Path, *states: str) -> None:
        self.settings = SimpleNamespace(state_path=state)
        self.project = "p"
        self._members = members(*states)
        self.started = False
        self.progress = None

    def inventory(self) -> SimpleNamespace:
        return SimpleNamespace(members=self._members)

    def health(self) -> HealthReport:
        return HealthReport(healthy=True, profile="full", project="p", problems=[], components=[])

    def up(self, **kwargs: object) -> HealthReport:
        self.started = True
        return HealthReport(healthy=True, profile="full", project="p", problems=[], components=[])


class TestUpRefuses:
    """`up` refuses, with the exact recovery command, instead of compose's paused-container
    error; and leaves everything as it was."""

    def args(self) -> argparse.Namespace:
        return argparse.Namespace(timeout=None, yes=True, json=False)

    def test_paused_member_names_the_recover_command(self, tmp_path: Path) -> None:
        """A paused member: one error, the fix is `nox -s simulate -- --recover`."""
        stack = FakeStack(tmp_path, "running", "paused")
        with pytest.raises(PawsStackError, match="paused member") as caught:
            lifecyclecli.cmd_up(stack, self.args())  # type: ignore[arg-type]
        assert RECOVER_COMMAND in caught.value.remediation and not stack.started

    def test_running_experiment_is_not_disturbed(self, tmp_path: Path) -> None:
        """During an experiment `up` would restart its victims: it says so and waits."""
        write(tmp_path, "p", os.getpid(), process_start(os.getpid()))
        stack = FakeStack(tmp_path, "paused")
        with pytest.raises(PawsStackError, match="is running") as caught:
            lifecyclecli.cmd_up(stack, self.args())  # type: ignore[arg-type]
        assert f"kill -INT {os.getpid()}" in caught.value.remediation and not stack.started

    def test_a_project_without_containers_starts(self, tmp_path: Path) -> None:
        """Faults die with their containers: a stale journal does not block a fresh `up`."""
        write(tmp_path, "p", ended_pid(), None)
        stack = FakeStack(tmp_path)
        assert lifecyclecli.cmd_up(stack, self.args()) == 0  # type: ignore[arg-type]
        assert stack.started


class TestHealthNamesTheFix:
    """`health` turns a leftover into a problem (exit 1) and ends with the recovery command."""

    def run(self, stack: FakeStack, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
        lines: list[str] = []
        monkeypatch.setattr(statuscli.err, "print", lambda text, **kwargs: lines.append(str(text)))
        monkeypatch.setattr(statuscli, "plain_rows", lambda rows: None)
        code = statuscli.cmd_health(stack, argparse.Namespace(json=False))  # type: ignore[arg-type]
        return code, "\n".join(lines)

    def test_stale_journal_makes_a_healthy_stack_unhealthy(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Probes all green, but a dead experiment's journal lists faults: exit 1 and the fix."""
        write(tmp_path, "p", ended_pid(), None)
        code, text = self.run(FakeStack(tmp_path, "running"), monkeypatch)
        assert code == 1
        assert "problem: an interrupted chaos experiment left faults in place" in text
        assert text.splitlines()[-1] == f"fix: {RECOVER_COMMAND}"

    def test_running_experiment_is_only_noted(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """During an experiment its faults are expected: a note, and health as probed."""
        write(tmp_path, "p", os.getpid(), process_start(os.getpid()))
        code, text = self.run(FakeStack(tmp_path, "running"), monkeypatch)
        assert code == 0 and "note: a chaos experiment is running" in text
