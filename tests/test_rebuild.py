"""TC-016: `rebuild <app>` rebuilds that app's image and recreates only its container."""

from __future__ import annotations

import time

import pytest

from conftest import cli
from paws_stack import Stack

pytestmark = pytest.mark.exclusive


def _ids(stack: Stack) -> dict[str, str]:
    return {
        c.labels["com.docker.compose.service"]: c.id
        for c in stack.client().containers.list(
            filters={"label": f"com.docker.compose.project={stack.project}"}
        )
    }


def test_tc016_rebuild_recreates_only_that_service(stack: Stack) -> None:
    """`rebuild backend`: a new backend container, every other keeps its id, stack healthy."""
    before = _ids(stack)
    result = cli("rebuild", "backend", timeout=1200)
    assert result.returncode == 0, result.stderr
    after = _ids(stack)
    assert after["backend"] != before["backend"], "the backend was not recreated"
    others = {s: i for s, i in before.items() if s != "backend"}
    assert {s: after.get(s) for s in others} == others, "rebuild touched other containers"
    stack.wait_healthy(time.monotonic() + 300)
    assert cli("health").returncode == 0


def test_tc016_rebuild_of_a_non_app_is_refused(stack: Stack) -> None:
    """`rebuild haproxy`: exit 2, one line naming the apps that can be rebuilt; nothing done."""
    before = _ids(stack)
    result = cli("rebuild", "haproxy")
    assert result.returncode == 2
    assert "not an app paws builds" in result.stderr and "backend, frontend" in result.stderr
    assert _ids(stack) == before
