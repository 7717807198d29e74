"""Stack tests: one real stack per session (project `pawstest`, see noxfile.TEST_STACK_ENV).

Order matters: read-only `stack` tests run first, then `chaos` ones, and `exclusive` ones
(which take the stack down, delete data or switch profile) run last and leave the full stack
healthy again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from paws_stack import HealthReport, Stack

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "stack: uses the shared full stack, leaves it healthy")
    config.addinivalue_line("markers", "exclusive: takes the shared stack down or changes it")
    config.addinivalue_line("markers", "chaos: injects a fault through paws_chaos (also stack)")
    config.addinivalue_line("markers", "act: runs workflows under act through paws-ci")
    config.addinivalue_line(
        "markers", "resilience: locking, identity and interruption safety (own lite projects)"
    )
    config.addinivalue_line(
        "markers", "remote: a second engine on this machine, standing in for a remote one"
    )
    config.addinivalue_line(
        "markers", "backup: backup and restore on the lite profile (stops the full stack)"
    )
    config.addinivalue_line(
        "markers", "podman: PAWS_ENGINE=podman on this machine's Podman (where it is installed)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        # Read-only checks first, then faults (each leaves the stack healthy), then the tests
        # that take the stack down or switch profile.
        if item.get_closest_marker("exclusive"):
            return 4
        if item.get_closest_marker("resilience") or item.get_closest_marker("remote"):
            return 2  # projects of their own: after the timed chaos runs, before exclusive
        if item.get_closest_marker("backup"):
            return 3  # stops the shared stack and starts it again: with the exclusive ones
        return 1 if item.get_closest_marker("chaos") else 0

    items.sort(key=rank)


@dataclass
class StartedStack:
    """The session's stack and how its first `up` went."""

    stack: Stack
    up_seconds: float
    fresh: bool
    report: HealthReport


def new_stack(**overrides: object) -> Stack:
    return Stack.from_settings(project_dir=ROOT, **overrides)


@pytest.fixture(scope="session")
def started() -> Iterator[StartedStack]:
    stack = new_stack(profile="full")
    # The engine may not exist yet on a fresh CI machine: setup installs it (CI=true).
    stack.setup(assume_yes=True)
    fresh = not stack.inventory().volumes
    begin = time.monotonic()
    report = stack.up(timeout=300, assume_yes=True)
    elapsed = time.monotonic() - begin
    print(f"\n[paws] up ({'fresh' if fresh else 'existing volumes'}): {elapsed:.1f} s")
    yield StartedStack(stack, elapsed, fresh, report)


@pytest.fixture()
def stack(started: StartedStack) -> Iterator[Stack]:
    """The shared full stack; after the test it must be healthy again (waits up to 120 s)."""
    yield started.stack
    started.stack.wait_healthy(time.monotonic() + 120)


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the paws-stack console script the way a user does."""
    return console_script("paws_stack.cli", *args, env=env, timeout=timeout, check=check)


def console_script(
    module: str,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run one of the project's console scripts (by its module) in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{module} {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):  # type: ignore[no-untyped-def]
    """Poll `predicate` until it returns a truthy value; fail naming `what`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"{what}: not true within {timeout} s (last error: {last_error})")
