"""Tests for paws_ci.runlock: one local CI run per host, the holder named, never stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from paws_ci.errors import RunInProgress
from paws_ci.runlock import one_run_at_a_time, refuse_foreign_act_run

HOLD = """
import sys, time
from pathlib import Path
from paws_ci.runlock import one_run_at_a_time
with one_run_at_a_time(Path(sys.argv[2]), Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_second_run_is_refused_naming_the_first(tmp_path: Path) -> None:
    """While another process holds the lock, a run fails at once with its pid and checkout."""
    lock = tmp_path / "paws-ci.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), "/some/checkout"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(RunInProgress) as caught, one_run_at_a_time(tmp_path, lock):
            pytest.fail("the lock was granted twice")
        assert f"pid {holder.pid} in /some/checkout" in str(caught.value)
        assert "fix: wait for it to end" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
    # The holder died without cleaning up: the kernel dropped its lock, the next run proceeds.
    with one_run_at_a_time(tmp_path, lock):
        assert "in " + str(tmp_path) in lock.read_text("utf-8")


def test_runs_one_after_another_both_proceed(tmp_path: Path) -> None:
    """Sequential runs in one process are not refused."""
    lock = tmp_path / "paws-ci.lock"
    for _ in range(2):
        with one_run_at_a_time(tmp_path, lock):
            pass


def test_running_act_containers_outside_paws_ci_are_refused() -> None:
    """Containers act started without us are named, with the command that removes them."""
    refuse_foreign_act_run([])
    names = ["act-ci-lint-1a", "act-ci-unit-2b", "act-ci-integration-3c", "act-ci-x-4d"]
    with pytest.raises(RunInProgress) as caught:
        refuse_foreign_act_run(names)
    message = str(caught.value)
    assert "act-ci-lint-1a, act-ci-unit-2b, act-ci-integration-3c and 1 more" in message
    assert "docker rm -f " + " ".join(names) in message
