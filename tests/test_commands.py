"""Everyday commands on the running stack: status, logs, restart, and up's timeout report."""

from __future__ import annotations

import json

import pytest

from conftest import StartedStack, cli
from helpers import scratch_env
from paws_stack import Stack


@pytest.mark.stack
def test_tc001_status_shows_topology_volumes_and_ports(stack: Stack) -> None:
    """`status --json` names the leader, timelines, the 9 volumes and the published ports."""
    document = json.loads(cli("status", "--json", check=True).stdout)
    assert document["project"] == stack.project
    assert len(document["volumes"]) == 9
    assert document["ports"]["PAWS_PG_PORT"] == stack.settings.pg_port
    patroni = [m for m in document["members"] if m["kind"] == "patroni"]
    assert [m["role"] for m in patroni].count("leader") == 1
    assert all(isinstance(m["facts"]["timeline"], int) for m in patroni)


@pytest.mark.stack
def test_tc001_logs_of_one_service(stack: Stack) -> None:
    """`logs patroni-0 --tail 5` prints that service's lines; a misspelled name is exit 2."""
    result = cli("logs", "patroni-0", "--tail", "5", check=True)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines and all(line.startswith("patroni-0") for line in lines)
    wrong = cli("logs", "patroni-9")
    assert wrong.returncode == 2
    assert "patroni-9" in wrong.stderr


@pytest.mark.stack
def test_tc003_restarted_replica_rejoins(stack: Stack) -> None:
    """`restart <replica>` brings it back streaming; the fixture waits for full health."""
    replica = next(c.name for c in stack.health().of_kind("patroni") if c.role == "replica")
    assert cli("restart", replica).returncode == 0


@pytest.mark.exclusive
def test_tc008_up_timeout_names_unhealthy_services_with_logs(started: StartedStack) -> None:
    """An `up` that cannot finish in time names the services and shows their last logs."""
    # Named and numbered after the session's test project: two suites on one engine (a local
    # CI run beside `make local-test`) do not meet.
    scratch = scratch_env("slow", 500, None)
    try:
        result = cli("up", "--profile", "lite", "--timeout", "2", "--yes", env=scratch)
        assert result.returncode == 2
        assert "not healthy in time" in result.stderr
        assert "last log lines" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        cli("down", "--volumes", "--yes", "--profile", "lite", env=scratch)
