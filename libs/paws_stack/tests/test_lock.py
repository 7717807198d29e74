"""Tests for paws_stack._lock: one lock per project, a holder named, never a stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paws_stack._lock import Holder, ProjectLock, lock_path
from paws_stack.errors import ProjectBusy

HOLD = """
import sys, time
from pathlib import Path
from paws_stack._lock import ProjectLock
with ProjectLock.of(Path(sys.argv[1]), "demo").hold("up"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / ".paws"


@pytest.fixture
def held_elsewhere(state: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of project `demo` for up to 30 s."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state), "30", "paws-stack", "up"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()


class TestPath:
    def test_the_path_is_the_contract(self, state: Path) -> None:
        """Every paws tool locks `.paws/locks/<project>.lock`."""
        assert lock_path(state, "paws") == state / "locks" / "paws.lock"
        assert ProjectLock.of(state, "paws").path == state / "locks" / "paws.lock"


class TestUncontended:
    def test_hold_and_release(self, state: Path) -> None:
        """A free lock is taken at once, names its holder while held, and is free after."""
        lock = ProjectLock.of(state, "demo")
        with lock.hold("up"):
            holder = lock.holder()
            assert holder is not None and holder.pid == os.getpid()
            assert holder.operation == "up"
        assert lock.holder() is None
        assert lock.path.read_text("utf-8") == "", "a released lock names nobody"

    def test_reentrant_within_a_process(self, state: Path) -> None:
        """`up` holding the lock can call `setup`, which takes it again, without waiting."""
        lock = ProjectLock.of(state, "demo")
        with lock.hold("up"), lock.hold("setup", wait=False):
            assert lock.holder() is not None
        assert lock.holder() is None

    def test_projects_do_not_share_a_lock(self, state: Path) -> None:
        """Two project names lock independently."""
        with (
            ProjectLock.of(state, "a").hold("up"),
            ProjectLock.of(state, "b").hold("up", wait=False),
        ):
            pass


class TestContended:
    def test_no_wait_fails_naming_the_holder(
        self, state: Path, held_elsewhere: subprocess.Popen[str]
    ) -> None:
        """--no-wait: ProjectBusy at once, naming the holder's command and pid, and the fix."""
        started = time.monotonic()
        lock = ProjectLock.of(state, "demo")
        with pytest.raises(ProjectBusy) as caught, lock.hold("down", wait=False):
            raise AssertionError("must not get the lock")
        assert time.monotonic() - started < 1.0
        assert f"(pid {held_elsewhere.pid}," in caught.value.message
        assert "project demo is busy" in caught.value.message
        assert "without --no-wait" in caught.value.remediation

    def test_waiting_says_for_whom(
        self, state: Path, held_elsewhere: subprocess.Popen[str]
    ) -> None:
        """A waiting command says whom it waits for; a timeout is ProjectBusy too."""
        lines: list[str] = []
        lock = ProjectLock.of(state, "demo")
        waiting = lock.hold("up", report=lines.append, timeout=1)
        with pytest.raises(ProjectBusy, match="still busy after 1 s"), waiting:
            raise AssertionError("must not get the lock")
        assert lines and lines[0].startswith("waiting for `")
        assert f"pid {held_elsewhere.pid}" in lines[0] and "--no-wait" in lines[0]

    def test_waits_until_the_holder_is_done(self, state: Path) -> None:
        """A second command gets the lock once the first one ends."""
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(state), "1.5"], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        lines: list[str] = []
        started = time.monotonic()
        with ProjectLock.of(state, "demo").hold("up", report=lines.append, timeout=30):
            waited = time.monotonic() - started
        holder.wait()
        assert 0.5 < waited < 10, waited
        assert len(lines) == 1 and "waiting for" in lines[0]

    def test_a_killed_holder_leaves_no_stale_lock(
        self, state: Path, held_elsewhere: subprocess.Popen[str]
    ) -> None:
        """SIGKILL of the holder frees the lock: the kernel drops a dead process's flock."""
        held_elsewhere.send_signal(signal.SIGKILL)
        held_elsewhere.wait()
        lock = ProjectLock.of(state, "demo")
        assert lock.holder() is None
        with lock.hold("up", wait=False):
            pass


class TestHolder:
    def test_describe_names_command_pid_and_age(self) -> None:
        """The holder line a waiting command prints."""
        holder = Holder(pid=42, command="paws-stack up", started=100.0, operation="up")
        assert holder.describe(now=112.0) == "`paws-stack up` (pid 42, for 12 s)"

    @pytest.mark.parametrize("text", ["", "{", '{"pid": "x"}', "[]"])
    def test_unreadable_record_is_none(self, text: str) -> None:
        """A record being written, or damaged, names nobody rather than failing."""
        assert Holder.parse(text) is None
