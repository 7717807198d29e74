"""TC-009: the lite profile comes up healthy with the same endpoints and commands."""

from __future__ import annotations

import json

import pytest

from conftest import StartedStack, cli, new_stack
from helpers import container_ids, leader_pg, redis_client

pytestmark = pytest.mark.exclusive


def test_tc009_lite_profile_is_healthy_with_same_endpoints(started: StartedStack) -> None:
    """Full down, lite up: 1 of each member, healthy, same URLs; then full back up."""
    full = started.stack
    full_endpoints = cli("endpoints", "--json", check=True).stdout
    assert cli("down").returncode == 0
    try:
        result = cli("up", "--profile", "lite", "--yes")
        assert result.returncode == 0, result.stderr
        health = json.loads(cli("health", "--json", check=True).stdout)
        assert health["healthy"] is True
        assert health["profile"] == "lite"
        kinds = sorted(c["kind"] for c in health["components"])
        assert kinds == ["app", "app", "etcd", "haproxy", "patroni", "redis", "sentinel"]
        # Up while up: compose, not a hash comparison, decides that nothing changed.
        lite = new_stack(profile="lite")
        before = container_ids(lite)
        again = cli("up", "--profile", "lite", "--yes")
        assert again.returncode == 0, again.stderr
        assert "already up and healthy: nothing to do" in again.stderr
        assert container_ids(lite) == before
        lite_endpoints = json.loads(cli("endpoints", "--json", check=True).stdout)
        full_doc = json.loads(full_endpoints)
        same = ("postgres_url", "postgres_ro_url", "redis_url", "haproxy_stats_url", "frontend_url")
        for key in (*same, "backend_url"):
            assert lite_endpoints[key] == full_doc[key]
        assert lite_endpoints["sentinels"] == full_doc["sentinels"][:1]
        with leader_pg(full) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
        assert redis_client(full, full.settings.bind_address, full.settings.redis_port).ping()
    finally:
        cli("down", "--volumes", "--yes", "--profile", "lite")
        assert cli("up", "--yes").returncode == 0
