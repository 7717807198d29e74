"""TC-006: up is idempotent, data survives down/up, down --volumes wipes, Ctrl-C is clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from conftest import ROOT, StartedStack, cli
from helpers import container_ids, leader_pg, like_a_terminal, redis_client

pytestmark = pytest.mark.exclusive


def test_tc006_up_while_up_changes_nothing(started: StartedStack) -> None:
    """A second `up` exits 0 and leaves every container as it was."""
    stack = started.stack
    before = container_ids(stack)
    result = cli("up", "--yes")
    assert result.returncode == 0, result.stderr
    assert "already up and healthy" in result.stderr
    assert container_ids(stack) == before


def test_tc006_data_survives_down_and_up(started: StartedStack) -> None:
    """A committed row and a Redis key are still there after `down` then `up`."""
    stack = started.stack
    marker = str(uuid.uuid4())
    with leader_pg(stack) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS tc006 (id text PRIMARY KEY)")
        conn.execute("INSERT INTO tc006 VALUES (%s)", (marker,))
    redis_client(stack, stack.settings.bind_address, stack.settings.redis_port).set("tc006", marker)
    assert cli("down").returncode == 0
    assert not stack.inventory().members
    assert len(stack.inventory().volumes) == 9
    assert cli("up", "--yes").returncode == 0
    with leader_pg(stack) as conn:
        assert conn.execute("SELECT id FROM tc006 WHERE id = %s", (marker,)).fetchone()
    client = redis_client(stack, stack.settings.bind_address, stack.settings.redis_port)
    assert client.get("tc006") == marker


def test_tc006_down_when_nothing_runs_exits_zero(started: StartedStack) -> None:
    """`down` twice: the second finds nothing and still exits 0."""
    assert cli("down").returncode == 0
    assert cli("down").returncode == 0


def test_tc006_down_volumes_wipes_the_data(started: StartedStack) -> None:
    """`down --volumes` names what it deletes and leaves no volume behind; up starts fresh."""
    stack = started.stack
    if not stack.inventory().members:
        assert cli("up", "--yes").returncode == 0
    result = cli("down", "--volumes", "--yes")
    assert result.returncode == 0, result.stderr
    assert "deleting volumes" in result.stderr and f"{stack.project}_patroni-0" in result.stderr
    assert stack.inventory().volumes == []
    assert cli("up", "--yes").returncode == 0
    with leader_pg(stack) as conn:
        assert conn.execute("SELECT to_regclass('tc006')").fetchone() == (None,)


def test_tc006_ctrl_c_during_up_leaves_no_orphans(started: StartedStack) -> None:
    """SIGINT while a fresh project is being created removes it; the next `up` works."""
    stack = started.stack
    assert cli("down", "--volumes", "--yes").returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "paws_stack.cli", "up", "--yes"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=like_a_terminal,
    )
    deadline = time.monotonic() + 60
    while not stack.inventory().members and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stack.inventory().members, "up never created a container"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "interrupted" in stderr
    assert stack.inventory().members == [], "containers left behind after Ctrl-C"
    assert stack.inventory().volumes == [], "a half-created project keeps no volumes"
    result = cli("up", "--yes")
    assert result.returncode == 0, result.stderr
