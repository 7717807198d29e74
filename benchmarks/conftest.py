"""Benchmarks run against the isolated test project (noxfile.TEST_STACK_ENV)."""

from __future__ import annotations

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: removes and rebuilds the images (minutes)")
