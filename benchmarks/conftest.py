"""Benchmarks run against the isolated test project (noxfile.TEST_STACK_ENV)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paws_stack import Stack

ROOT = Path(__file__).resolve().parent.parent


def new_stack(profile: str = "full") -> Stack:
    return Stack.from_settings(project_dir=ROOT, profile=profile)


@pytest.fixture(scope="session")
def prepared() -> Stack:
    """Engine, secrets and images ready (setup is idempotent)."""
    stack = new_stack()
    stack.setup(assume_yes=True)
    return stack


@pytest.fixture(scope="session", autouse=True)
def leave_as_found() -> Iterator[None]:
    """A bench run leaves the test project as it found it: containers it started are removed,
    and so are volumes it created. Kept volumes would make every other checkout on the machine
    (a CI clone included) refuse the project as not its own."""
    stacks = [new_stack(profile) for profile in ("full", "lite")]
    before = {s.project: _found(s) for s in stacks}
    yield
    for stack in stacks:
        running, had_volumes = before[stack.project]
        if running:
            continue  # it was up before the benchmarks: leave it up
        now_running, has_volumes = _found(stack)
        if now_running or (has_volumes and not had_volumes):
            stack.down(volumes=not had_volumes)


def _found(stack: Stack) -> tuple[bool, bool]:
    """Whether the project runs, and whether it has volumes."""
    try:
        found = stack.inventory()
    except Exception:  # no engine yet (first run installs it): nothing was there
        return False, False
    return bool(found.running), bool(found.volumes)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: removes and rebuilds the images (minutes)")
