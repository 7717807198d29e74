"""Tests for paws_stack.devsession: is another process's `dev` holding a project's apps?"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from paws_stack.devsession import DevSession

HOLD = """
import sys, time
from pathlib import Path
from paws_stack.devsession import DevSession
with DevSession.of(Path(sys.argv[1]), "demo").lock.hold("dev"):
    print("held", flush=True)
    time.sleep(30)
"""


@pytest.fixture
def session(tmp_path: Path) -> DevSession:
    return DevSession.of(tmp_path / ".paws", "demo")


@pytest.fixture
def dev_elsewhere(session: DevSession, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding project demo's dev lock, as a running `paws-stack dev` does."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / ".paws")], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()


def _write_override(session: DevSession) -> None:
    session.override.parent.mkdir(parents=True, exist_ok=True)
    session.override.write_text("services: {}\n", encoding="utf-8")


def test_paths_sit_beside_the_project_lock(session: DevSession, tmp_path: Path) -> None:
    """The dev lock and override are per project, next to the project's own lock."""
    assert session.lock.path == tmp_path / ".paws" / "locks" / "demo.dev.lock"
    assert session.override == tmp_path / ".paws" / "compose" / "demo-dev.yaml"


def test_no_dev_running(session: DevSession) -> None:
    """No lock file, and a free one: nobody to leave alone."""
    assert session.elsewhere() is None
    _write_override(session)
    with session.lock.hold("dev"):
        pass
    assert session.elsewhere() is None


def test_a_dev_in_another_process_is_seen(
    session: DevSession, dev_elsewhere: subprocess.Popen[str]
) -> None:
    """Held by another process with its override written: that process is named."""
    _write_override(session)
    holder = session.elsewhere()
    assert holder is not None and holder.pid == dev_elsewhere.pid


def test_no_override_yet_means_no_dev_mode_to_keep(
    session: DevSession, dev_elsewhere: subprocess.Popen[str]
) -> None:
    """A `dev` still in its own `up` has written no override: nothing to apply yet."""
    assert session.elsewhere() is None


def test_this_process_does_not_count(session: DevSession) -> None:
    """`dev` runs `up` itself under its lock: that `up` must not apply an old override."""
    _write_override(session)
    with session.lock.hold("dev"):
        assert session.lock.holder() is not None
        assert session.elsewhere() is None


def test_a_killed_dev_leaves_no_session(
    session: DevSession, dev_elsewhere: subprocess.Popen[str]
) -> None:
    """SIGKILL: the kernel drops the flock, so the apps are not kept in dev mode forever."""
    _write_override(session)
    os.kill(dev_elsewhere.pid, signal.SIGKILL)
    dev_elsewhere.wait()
    assert session.elsewhere() is None
