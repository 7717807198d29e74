"""Benchmarks run against the isolated test project (noxfile.TEST_STACK_ENV)."""

from __future__ import annotations

import os
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
    """A bench run stops the test project's containers it started (13 of them, ~330 MiB idle)
    instead of leaving them running; on a CI machine it removes their volumes too."""
    stacks = [new_stack(profile) for profile in ("full", "lite")]
    running_before = {s.project for s in stacks if _running(s)}
    yield
    for stack in stacks:
        if stack.project in running_before:
            continue  # it was up before the benchmarks: leave it up
        if _running(stack) or os.environ.get("CI"):
            stack.down(volumes=bool(os.environ.get("CI")))


def _running(stack: Stack) -> bool:
    try:
        return bool(stack.inventory().running)
    except Exception:  # no engine yet (first run installs it): nothing was running
        return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: removes and rebuilds the images (minutes)")
