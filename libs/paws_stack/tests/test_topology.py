"""Tests for paws_stack.topology: member counts and compose wiring per profile."""

from __future__ import annotations

import pytest

from paws_stack.topology import KINDS, Kind, Topology

FULL = Topology("full")
LITE = Topology("lite")


class TestCounts:
    @pytest.mark.parametrize(
        ("kind", "expected"),
        [("etcd", 3), ("patroni", 3), ("redis", 3), ("sentinel", 3), ("haproxy", 1)],
    )
    def test_full_counts(self, kind: Kind, expected: int) -> None:
        """The full profile runs three of each clustered member and one HAProxy."""
        assert FULL.count(kind) == expected

    @pytest.mark.parametrize("kind", [k for k in KINDS if k != "app"])
    def test_lite_runs_one_of_each(self, kind: Kind) -> None:
        """The lite profile runs a single member of every kind."""
        assert LITE.count(kind) == 1

    @pytest.mark.parametrize(("topology", "quorum"), [(FULL, 2), (LITE, 1)])
    def test_sentinel_quorum(self, topology: Topology, quorum: int) -> None:
        """Sentinel quorum is a majority: 2 of 3 in full, 1 of 1 in lite."""
        assert topology.sentinel_quorum == quorum


class TestServices:
    def test_clustered_services_are_numbered_from_zero(self) -> None:
        """Service names are `<kind>-<index>`."""
        assert FULL.services("patroni") == ["patroni-0", "patroni-1", "patroni-2"]

    def test_haproxy_is_unnumbered(self) -> None:
        """There is one HAProxy service, named `haproxy`."""
        assert FULL.services("haproxy") == ["haproxy"]

    def test_lite_services(self) -> None:
        """Lite names one service per kind, in kind order."""
        assert LITE.all_services() == ["etcd-0", "patroni-0", "redis-0", "sentinel-0", "haproxy"]

    def test_full_has_thirteen_services(self) -> None:
        """Full runs 3+3+3+3 members plus HAProxy, each named once."""
        services = FULL.all_services()
        assert len(services) == 13 and len(set(services)) == 13

    @pytest.mark.parametrize(
        ("service", "kind"),
        [
            ("etcd-2", "etcd"),
            ("patroni-0", "patroni"),
            ("redis-1", "redis"),
            ("sentinel-2", "sentinel"),
            ("haproxy", "haproxy"),
        ],
    )
    def test_kind_of(self, service: str, kind: Kind) -> None:
        """A service name maps back to its kind."""
        assert FULL.kind_of(service) == kind

    def test_kind_of_does_not_confuse_redis_and_sentinel(self) -> None:
        """`redis-` is matched as a whole prefix, not by a shared substring."""
        assert [FULL.kind_of(s) for s in FULL.services("sentinel")] == ["sentinel"] * 3


class TestComposeEnv:
    def test_full_etcd_cluster(self) -> None:
        """The etcd initial cluster lists every member with its peer URL."""
        assert FULL.compose_env()["PAWS_ETCD_CLUSTER"] == (
            "etcd-0=http://etcd-0:2380,etcd-1=http://etcd-1:2380,etcd-2=http://etcd-2:2380"
        )

    def test_lite_etcd_cluster(self) -> None:
        """Lite's etcd cluster is its single member."""
        assert LITE.compose_env()["PAWS_ETCD_CLUSTER"] == "etcd-0=http://etcd-0:2380"

    @pytest.mark.parametrize(
        ("variable", "value"),
        [
            ("PAWS_ETCD_HOSTS", "etcd-0:2379,etcd-1:2379,etcd-2:2379"),
            ("PAWS_SENTINELS", "sentinel-0:26379,sentinel-1:26379,sentinel-2:26379"),
            ("PAWS_REDIS_NODES", "redis-0:6379,redis-1:6379,redis-2:6379"),
            ("PAWS_SENTINEL_QUORUM", "2"),
            ("PAWS_PG_REPLICA_CHECK", "/replica"),
        ],
    )
    def test_full_values(self, variable: str, value: str) -> None:
        """Full wires three members of each kind and checks replicas on /replica."""
        assert FULL.compose_env()[variable] == value

    @pytest.mark.parametrize(
        ("variable", "value"),
        [
            ("PAWS_ETCD_HOSTS", "etcd-0:2379"),
            ("PAWS_SENTINELS", "sentinel-0:26379"),
            ("PAWS_REDIS_NODES", "redis-0:6379"),
            ("PAWS_SENTINEL_QUORUM", "1"),
            ("PAWS_PG_REPLICA_CHECK", "/read-only"),
        ],
    )
    def test_lite_values(self, variable: str, value: str) -> None:
        """Lite wires one member each; its read-only address falls back to the leader."""
        assert LITE.compose_env()[variable] == value

    @pytest.mark.parametrize("topology", [FULL, LITE])
    def test_same_variables_in_both_profiles(self, topology: Topology) -> None:
        """Both profiles set the same variables, so compose.yaml never lacks one."""
        assert sorted(topology.compose_env()) == [
            "PAWS_ETCD_CLUSTER",
            "PAWS_ETCD_HOSTS",
            "PAWS_PG_REPLICA_CHECK",
            "PAWS_REDIS_NODES",
            "PAWS_SENTINELS",
            "PAWS_SENTINEL_QUORUM",
        ]


class TestApps:
    APPS = Topology("lite", apps=("backend", "redis-cache"))

    def test_apps_count_in_every_profile(self) -> None:
        """The apps file's services are members of kind app, in lite as in full."""
        assert self.APPS.count("app") == 2
        assert self.APPS.services("app") == ["backend", "redis-cache"]

    def test_an_app_name_wins_over_an_infra_prefix(self) -> None:
        """An app called redis-cache is an app, not a Redis member."""
        assert self.APPS.kind_of("redis-cache") == "app"
        assert self.APPS.kind_of("redis-0") == "redis"

    def test_no_apps_without_an_apps_file(self) -> None:
        """Infrastructure only: no app members."""
        assert FULL.count("app") == 0 and "backend" not in FULL.all_services()
