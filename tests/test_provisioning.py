"""TC-001..TC-005: a fresh stack comes up healthy with the right topology and replicates."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from conftest import StartedStack, cli, wait_for
from helpers import address, leader_pg, pg, redis_client
from paws_stack import Stack

pytestmark = pytest.mark.stack

SEED_UP_BOUND_S = 300  # the seed's bound; the 20 s target is measured by `nox -s bench`


def test_tc001_fresh_up_is_healthy_within_bound(started: StartedStack) -> None:
    """`up` returned a healthy report within the seed's 5 minutes."""
    assert started.report.healthy, started.report.problems
    assert started.up_seconds <= SEED_UP_BOUND_S
    print(f"[TC-001] up took {started.up_seconds:.1f} s (fresh={started.fresh})")


def test_tc001_health_json_matches_topology(stack: Stack) -> None:
    """`health --json` lists every member with kind, role, container, latency and detail."""
    result = cli("health", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["healthy"] is True
    kinds = [c["kind"] for c in document["components"]]
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "etcd": 3,
        "patroni": 3,
        "redis": 3,
        "sentinel": 3,
        "haproxy": 1,
        "app": 2,
    }
    for component in document["components"]:
        assert set(component) >= {
            "name",
            "kind",
            "role",
            "healthy",
            "container",
            "latency_ms",
            "detail",
        }
        assert component["container"].startswith(stack.project)
    roles = [c["role"] for c in document["components"] if c["kind"] == "patroni"]
    assert roles.count("leader") == 1
    assert roles.count("sync_standby") >= 1


def test_tc002_etcd_has_three_voting_members_and_quorum(stack: Stack) -> None:
    """Every etcd member lists the same 3 voting members and agrees on one leader."""
    leaders = set()
    for service in stack.topology.services("etcd"):
        base = f"http://{address(stack, service)}:2379"
        members = httpx.post(f"{base}/v3/cluster/member/list", json={}).json()["members"]
        assert len([m for m in members if not m.get("isLearner")]) == 3
        assert httpx.get(f"{base}/health").json()["health"] == "true"
        leaders.add(httpx.post(f"{base}/v3/maintenance/status", json={}).json()["leader"])
    assert len(leaders) == 1


def test_tc003_patroni_leader_replicas_and_sync_standby(stack: Stack) -> None:
    """1 leader, 2 streaming replicas, >= 1 synchronous; HAProxy routes by role."""
    cluster = httpx.get(f"http://{address(stack, 'patroni-0')}:8008/cluster").json()
    roles = sorted(m["role"] for m in cluster["members"])
    assert roles.count("leader") == 1
    assert len(roles) == 3
    assert "sync_standby" in roles
    leader = next(m["name"] for m in cluster["members"] if m["role"] == "leader")
    node = httpx.get(f"http://{address(stack, leader)}:8008/patroni").json()
    streaming = [r for r in node["replication"] if r["state"] == "streaming"]
    assert len(streaming) == 2
    assert any(r["sync_state"] == "sync" for r in streaming)
    with leader_pg(stack) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
    with pg(stack, stack.settings.bind_address, stack.settings.pg_ro_port) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)


def test_tc004_row_written_to_leader_is_on_every_replica(stack: Stack) -> None:
    """A row committed through the leader address is readable on each replica directly."""
    marker = str(uuid.uuid4())
    with leader_pg(stack) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS tc004 (id text PRIMARY KEY)")
        conn.execute("INSERT INTO tc004 VALUES (%s)", (marker,))
    cluster = httpx.get(f"http://{address(stack, 'patroni-0')}:8008/cluster").json()
    replicas = [m["name"] for m in cluster["members"] if m["role"] != "leader"]
    assert len(replicas) == 2
    for replica in replicas:

        def visible(replica: str = replica) -> bool:
            with pg(stack, address(stack, replica), 5432) as conn:
                return (
                    conn.execute("SELECT 1 FROM tc004 WHERE id = %s", (marker,)).fetchone()
                    is not None
                )

        wait_for(visible, 10, f"row on {replica}")


def test_tc005_redis_replicates_and_sentinels_agree(stack: Stack) -> None:
    """A key written through HAProxy reaches both replicas; all Sentinels name that master."""
    key, value = f"tc005:{uuid.uuid4()}", "ok"
    master_client = redis_client(stack, stack.settings.bind_address, stack.settings.redis_port)
    master_client.set(key, value)
    assert master_client.info("replication")["role"] == "master"
    masters = set()
    for sentinel in stack.topology.services("sentinel"):
        client = redis_client(stack, address(stack, sentinel), 26379)
        state = client.execute_command("SENTINEL", "MASTER", "paws")
        assert int(state["quorum"]) == 2
        assert int(state["num-other-sentinels"]) == 2
        masters.add(state["ip"])
    assert len(masters) == 1
    master = masters.pop()
    replicas = [s for s in stack.topology.services("redis") if s != master]
    assert len(replicas) == 2
    for replica in replicas:
        client = redis_client(stack, address(stack, replica), 6379)
        assert client.info("replication")["master_host"] == master
        wait_for(lambda c=client: c.get(key) == value, 10, f"{key} on {replica}")
    master_client.delete(key)
