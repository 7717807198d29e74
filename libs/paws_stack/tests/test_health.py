"""Tests for paws_stack.health.assess: the HA invariants, decided from probe facts alone."""

from __future__ import annotations

from typing import Any

import pytest

from paws_stack.health import Component, HealthReport, Role, assess
from paws_stack.topology import Topology

FULL = Topology("full")
LITE = Topology("lite")


def member(name: str, role: Role | None, healthy: bool = True, **facts: Any) -> Component:
    """A component as probes.py builds it; the kind comes from the service name."""
    return Component(name=name, kind=FULL.kind_of(name), role=role, healthy=healthy, facts=facts)


def healthy_full() -> list[Component]:
    """Every member of the full profile, healthy, wired the way probes.py reports it."""
    return [
        member("etcd-0", "leader", voting_members=3),
        member("etcd-1", "follower", voting_members=3),
        member("etcd-2", "follower", voting_members=3),
        member("patroni-0", "leader"),
        member("patroni-1", "sync_standby", streaming=True),
        member("patroni-2", "replica", streaming=True),
        member("redis-0", "master", master_host=None),
        member("redis-1", "replica", master_host="redis-0"),
        member("redis-2", "replica", master_host="redis-0"),
        member("sentinel-0", "sentinel", master="redis-0"),
        member("sentinel-1", "sentinel", master="redis-0"),
        member("sentinel-2", "sentinel", master="redis-0"),
        member(
            "haproxy",
            "proxy",
            routes={
                "postgres_primary": "patroni-0",
                "postgres_replicas": ["patroni-1", "patroni-2"],
                "redis_master": "redis-0",
            },
        ),
    ]


def healthy_lite() -> list[Component]:
    """Every member of the lite profile, healthy."""
    return [
        member("etcd-0", "leader", voting_members=1),
        member("patroni-0", "leader"),
        member("redis-0", "master"),
        member("sentinel-0", "sentinel", master="redis-0"),
        member(
            "haproxy",
            "proxy",
            routes={
                "postgres_primary": "patroni-0",
                "postgres_replicas": "patroni-0",
                "redis_master": "redis-0",
            },
        ),
    ]


def replace(components: list[Component], name: str, **changes: Any) -> list[Component]:
    """The list with one member's fields changed (facts are merged, not replaced)."""
    result = []
    for c in components:
        if c.name == name:
            facts = {**c.facts, **changes.pop("facts", {})}
            c = c.model_copy(update={**changes, "facts": facts})
        result.append(c)
    return result


def by_name(report: HealthReport, name: str) -> Component:
    return next(c for c in report.components if c.name == name)


class TestHealthy:
    def test_full_is_healthy(self) -> None:
        """A complete, correctly wired full topology is healthy with no problems."""
        report = assess(FULL, "paws", healthy_full())
        assert report.problems == [] and report.healthy

    def test_lite_is_healthy(self) -> None:
        """A complete lite topology is healthy."""
        report = assess(LITE, "paws", healthy_lite())
        assert report.problems == [] and report.healthy

    def test_report_names_profile_and_project(self) -> None:
        """The report carries the profile and project it judged."""
        report = assess(LITE, "demo", healthy_lite())
        assert (report.profile, report.project) == ("lite", "demo")

    def test_components_are_sorted_by_kind_then_name(self) -> None:
        """Members are listed etcd, patroni, redis, sentinel, haproxy, each by name."""
        components = list(reversed(healthy_full()))
        names = [c.name for c in assess(FULL, "paws", components).components]
        assert names == [c.name for c in healthy_full()]

    def test_of_kind(self) -> None:
        """of_kind() picks the members of one kind."""
        report = assess(FULL, "paws", healthy_full())
        assert [c.name for c in report.of_kind("redis")] == ["redis-0", "redis-1", "redis-2"]


class TestCounts:
    def test_missing_member(self) -> None:
        """A member absent from the probes is a count problem."""
        components = [c for c in healthy_full() if c.name != "sentinel-2"]
        report = assess(FULL, "paws", components)
        assert "expected 3 sentinel member(s), found 2" in report.problems
        assert not report.healthy

    def test_full_members_under_lite(self) -> None:
        """Judged as lite, the full topology has too many members."""
        report = assess(LITE, "paws", healthy_full())
        assert "expected 1 etcd member(s), found 3" in report.problems

    def test_unhealthy_member_is_a_problem(self) -> None:
        """A member a probe found unhealthy is listed with its detail."""
        components = replace(healthy_full(), "etcd-2", healthy=False, detail="probe failed: x")
        report = assess(FULL, "paws", components)
        assert report.problems == ["etcd-2: probe failed: x"]


class TestEtcd:
    def test_no_quorum(self) -> None:
        """Two of three etcd members down: no quorum."""
        components = replace(healthy_full(), "etcd-1", healthy=False, detail="down")
        components = replace(components, "etcd-2", healthy=False, detail="down")
        report = assess(FULL, "paws", components)
        assert "etcd has no quorum: 1 of 3 members healthy" in report.problems

    def test_one_down_keeps_quorum(self) -> None:
        """One of three down still has quorum; only the member itself is reported."""
        components = replace(healthy_full(), "etcd-2", healthy=False, detail="down")
        report = assess(FULL, "paws", components)
        assert report.problems == ["etcd-2: down"]

    def test_two_leaders(self) -> None:
        """Two etcd members claiming leadership is a problem."""
        components = replace(healthy_full(), "etcd-1", role="leader")
        report = assess(FULL, "paws", components)
        assert "etcd should have 1 leader, has 2" in report.problems

    def test_no_leader(self) -> None:
        """No etcd leader among healthy members is a problem."""
        components = replace(healthy_full(), "etcd-0", role="follower")
        report = assess(FULL, "paws", components)
        assert "etcd should have 1 leader, has 0" in report.problems

    def test_wrong_voting_member_count(self) -> None:
        """A member seeing a different number of voting members than expected is a problem."""
        components = replace(healthy_full(), "etcd-1", facts={"voting_members": 4})
        report = assess(FULL, "paws", components)
        assert "etcd reports [3, 4] voting members, expected 3" in report.problems


class TestPostgres:
    def test_no_leader(self) -> None:
        """No PostgreSQL leader is a problem."""
        components = replace(healthy_full(), "patroni-0", role="replica", facts={"streaming": True})
        report = assess(FULL, "paws", components)
        assert "PostgreSQL should have exactly 1 leader, has 0" in report.problems

    def test_unhealthy_leader_does_not_count(self) -> None:
        """A leader that is not running does not count as the leader."""
        components = replace(healthy_full(), "patroni-0", healthy=False, detail="stopped")
        report = assess(FULL, "paws", components)
        assert "PostgreSQL should have exactly 1 leader, has 0" in report.problems

    def test_two_leaders(self) -> None:
        """Two PostgreSQL leaders (split brain) is a problem."""
        components = replace(healthy_full(), "patroni-2", role="leader")
        report = assess(FULL, "paws", components)
        assert "PostgreSQL should have exactly 1 leader, has 2" in report.problems

    @pytest.mark.parametrize("name", ["patroni-1", "patroni-2"])
    def test_replica_not_streaming_is_unhealthy(self, name: str) -> None:
        """A replica or sync standby the leader does not stream to is marked unhealthy."""
        components = replace(healthy_full(), name, facts={"streaming": False})
        report = assess(FULL, "paws", components)
        assert not by_name(report, name).healthy
        assert f"{name}: not streaming from the leader" in report.problems

    def test_replica_without_streaming_fact_is_unhealthy(self) -> None:
        """No streaming fact at all counts as not streaming."""
        components = [
            c.model_copy(update={"facts": {}}) if c.name == "patroni-2" else c
            for c in healthy_full()
        ]
        report = assess(FULL, "paws", components)
        assert not by_name(report, "patroni-2").healthy

    def test_not_streaming_keeps_probe_detail(self) -> None:
        """A detail the probe already gave is kept rather than overwritten."""
        components = replace(
            healthy_full(), "patroni-2", facts={"streaming": False}, detail="lag 9 GB"
        )
        report = assess(FULL, "paws", components)
        assert by_name(report, "patroni-2").detail == "lag 9 GB"

    def test_no_sync_standby_in_full(self) -> None:
        """Full needs a synchronous standby to confirm commits."""
        components = replace(healthy_full(), "patroni-1", role="replica")
        report = assess(FULL, "paws", components)
        assert (
            "no synchronous standby: synchronous_mode has nobody to confirm commits"
            in report.problems
        )

    def test_no_sync_standby_is_fine_when_synchronous_mode_is_off(self) -> None:
        """Async replication chosen in the DCS is working as configured; the leader says so."""
        components = replace(healthy_full(), "patroni-1", role="replica")
        components = replace(components, "patroni-0", facts={"synchronous_mode": False})
        report = assess(FULL, "paws", components)
        assert report.healthy, report.problems
        assert "asynchronous" in by_name(report, "patroni-0").detail

    def test_sync_standby_required_when_leader_says_synchronous(self) -> None:
        """synchronous_mode on in the DCS: a missing sync standby is a problem."""
        components = replace(healthy_full(), "patroni-1", role="replica")
        components = replace(components, "patroni-0", facts={"synchronous_mode": True})
        assert not assess(FULL, "paws", components).healthy

    def test_no_sync_standby_is_fine_in_lite(self) -> None:
        """Lite has a single PostgreSQL and no standby to require."""
        report = assess(LITE, "paws", healthy_lite())
        assert not any("synchronous" in p for p in report.problems)


class TestRedis:
    def test_two_masters(self) -> None:
        """Two Redis masters is a problem."""
        components = replace(healthy_full(), "redis-2", role="master")
        report = assess(FULL, "paws", components)
        assert "Redis should have exactly 1 master, has 2" in report.problems

    def test_no_master(self) -> None:
        """No Redis master is a problem."""
        components = replace(healthy_full(), "redis-0", role="replica")
        report = assess(FULL, "paws", components)
        assert "Redis should have exactly 1 master, has 0" in report.problems

    def test_replica_following_wrong_master(self) -> None:
        """A replica following another replica is marked unhealthy, naming what it follows."""
        components = replace(healthy_full(), "redis-2", facts={"master_host": "redis-1"})
        report = assess(FULL, "paws", components)
        assert not by_name(report, "redis-2").healthy
        assert "redis-2: replicates from redis-1, not the master" in report.problems


class TestSentinel:
    def test_sentinels_disagree(self) -> None:
        """Sentinels naming different masters is a problem."""
        components = replace(healthy_full(), "sentinel-1", facts={"master": "redis-1"})
        report = assess(FULL, "paws", components)
        assert "Sentinels disagree on the master: ['redis-0', 'redis-1']" in report.problems

    def test_sentinels_name_a_non_master(self) -> None:
        """Sentinels agreeing on a member that is not the master is a problem."""
        components = healthy_full()
        for name in ("sentinel-0", "sentinel-1", "sentinel-2"):
            components = replace(components, name, facts={"master": "redis-2"})
        report = assess(FULL, "paws", components)
        assert "Sentinels name redis-2 but the master is redis-0" in report.problems

    def test_unhealthy_sentinel_is_not_counted_as_disagreeing(self) -> None:
        """A Sentinel already unhealthy is reported as such, not as a disagreement."""
        components = replace(
            healthy_full(), "sentinel-1", healthy=False, detail="down", facts={"master": None}
        )
        report = assess(FULL, "paws", components)
        assert report.problems == ["sentinel-1: down"]


class TestHaproxy:
    def test_leader_address_routed_to_non_leader(self) -> None:
        """HAProxy sending the leader address to a replica is a problem."""
        routes = {"postgres_primary": "patroni-1", "redis_master": "redis-0"}
        components = replace(healthy_full(), "haproxy", facts={"routes": routes})
        report = assess(FULL, "paws", components)
        assert (
            "HAProxy routes the leader address to patroni-1, not to the leader patroni-0"
            in report.problems
        )

    def test_leader_address_routed_to_several(self) -> None:
        """Two servers UP behind the leader address is not a route to the leader."""
        routes = {"postgres_primary": ["patroni-0", "patroni-1"], "redis_master": "redis-0"}
        components = replace(healthy_full(), "haproxy", facts={"routes": routes})
        report = assess(FULL, "paws", components)
        assert any(p.startswith("HAProxy routes the leader address") for p in report.problems)

    def test_redis_address_routed_to_non_master(self) -> None:
        """HAProxy sending the Redis address to a replica is a problem."""
        routes = {"postgres_primary": "patroni-0", "redis_master": "redis-1"}
        components = replace(healthy_full(), "haproxy", facts={"routes": routes})
        report = assess(FULL, "paws", components)
        assert (
            "HAProxy routes the Redis address to redis-1, not to the master redis-0"
            in report.problems
        )

    def test_no_routes_at_all(self) -> None:
        """A proxy with no route facts fails both route checks."""
        components = [
            c.model_copy(update={"facts": {}}) if c.name == "haproxy" else c for c in healthy_full()
        ]
        report = assess(FULL, "paws", components)
        assert sum(p.startswith("HAProxy routes") for p in report.problems) == 2
