"""Planted drift is found exactly once with the right severity and remediation; equivalents never."""

from __future__ import annotations

import time

import pytest
from helpers import plant, snapshot

from paws_parity import Kind, Severity, Snapshot, Topology, build_report, bundled_snapshot, diff
from paws_parity.model import Setting


@pytest.fixture(scope="module")
def staging() -> Snapshot:
    return bundled_snapshot()


def _drifted(staging: Snapshot) -> Snapshot:
    local = plant(staging, "redis", "maxmemory-policy", "allkeys-lru")  # runtime
    local = plant(local, "postgresql", "work_mem", str(16 * 1024 * 2))  # runtime, DCS-managed
    local = plant(local, "postgresql", "statement_timeout", "30000")  # runtime, no rule
    members = {**staging.topology.members, "redis": 2}  # structural
    topology = Topology(members=members, synchronous_mode=False, sentinel_quorum=2)  # semantic
    versions = {**staging.versions, "postgresql": "14.10"}  # semantic
    return local.model_copy(update={"topology": topology, "versions": versions})


class TestPlantedDrift:
    def test_each_drift_found_exactly_once(self, staging: Snapshot) -> None:
        """One drift of each class, and nothing else, is reported."""
        report = build_report(_drifted(staging), staging)
        found = sorted((f.component, f.key) for f in report.findings)
        assert found == sorted([
            ("redis", "maxmemory-policy"), ("postgresql", "work_mem"),
            ("postgresql", "statement_timeout"), ("redis", "members"),
            ("patroni", "synchronous_mode"), ("postgresql", "version"),
        ])  # fmt: skip

    def test_kinds_severities_and_remediations(self, staging: Snapshot) -> None:
        """Each planted drift carries the kind, severity, remediation and restart flag it should."""
        report = build_report(_drifted(staging), staging)
        by_key = {(f.component, f.key): f for f in report.findings}
        policy = by_key["redis", "maxmemory-policy"]
        assert (policy.kind, policy.severity) == (Kind.RUNTIME, Severity.WARNING)
        assert "CONFIG SET maxmemory-policy 'noeviction'" in policy.remediation
        assert "compose/config/redis/redis.conf" in policy.remediation
        work_mem = by_key["postgresql", "work_mem"]
        assert (work_mem.local, work_mem.target) == ("32MB", "16MB")
        assert work_mem.remediation == "patronictl edit-config paws --force --pg work_mem='16MB'"
        assert not work_mem.restart_required
        timeout = by_key["postgresql", "statement_timeout"]
        assert timeout.severity is Severity.WARNING  # the default severity: no rule names it
        # Patroni runs the local cluster: the DCS, not ALTER SYSTEM on one member of three.
        assert (
            timeout.remediation == "patronictl edit-config paws --force --pg statement_timeout='0'"
        )
        members = by_key["redis", "members"]
        assert (members.kind, members.severity) == (Kind.STRUCTURAL, Severity.CRITICAL)
        sync = by_key["patroni", "synchronous_mode"]
        assert (sync.kind, sync.severity) == (Kind.SEMANTIC, Severity.CRITICAL)
        assert sync.remediation == "patronictl edit-config paws --force --set synchronous_mode=on"
        version = by_key["postgresql", "version"]
        assert (version.kind, version.severity) == (Kind.SEMANTIC, Severity.CRITICAL)
        assert not report.passed

    def test_postmaster_setting_needs_restart(self, staging: Snapshot) -> None:
        """A pg_settings context=postmaster change says a restart is needed, via Patroni."""
        report = build_report(plant(staging, "postgresql", "shared_buffers", "16384"), staging)
        (finding,) = report.findings
        assert finding.restart_required
        assert finding.remediation == (
            "patronictl edit-config paws --force --pg shared_buffers='4GB' "
            "then restart: patronictl restart paws --pending --force"
        )

    def test_equivalent_values_report_nothing(self, staging: Snapshot) -> None:
        """Values written differently but meaning the same are never reported."""
        local = staging
        for component, key, value in [
            ("postgresql", "shared_buffers", "4GB"),
            ("postgresql", "effective_cache_size", "12GB"),
            ("postgresql", "fsync", "true"),
            ("postgresql", "checkpoint_timeout", "5min"),
            ("postgresql", "wal_level", "REPLICA"),
            ("patroni", "synchronous_mode", "on"),
            ("patroni", "postgresql.parameters.shared_buffers", "524288"),
            ("redis", "maxmemory", "4gb"),
            ("redis", "save", "60 10000 3600 1 300 100"),
            ("redis", "appendonly", "YES"),
            ("redis", "client-output-buffer-limit", "replica 256mb 64mb 60 pubsub 32mb 8mb 60 normal 0 0 0"),
            ("sentinel", "down-after-milliseconds", "5000"),
            ("haproxy", "defaults.timeout connect", "2000ms"),
            ("haproxy", "defaults.timeout client", "1800s"),
        ]:  # fmt: skip
            local = plant(local, component, key, value)
        versions = {**staging.versions, "postgresql": "15.18 (Debian 15.18-0+deb12u1)",
                    "redis": "5:7.0.15-1~deb12u1"}  # fmt: skip
        local = local.model_copy(update={"versions": versions})
        assert diff(local, staging) == []


class TestStructure:
    def test_component_missing_is_one_finding(self) -> None:
        """A whole missing component is reported once, not once per key or member."""
        local = snapshot(settings={"redis": {"maxmemory": "0"}})
        target = snapshot(
            "t", settings={"redis": {"maxmemory": "0"}, "etcd": {"heartbeat-interval": "100"}},
            topology=Topology(members={"etcd": 3}),
        )  # fmt: skip
        found = diff(local, target)
        assert [(d.component, d.key, d.kind) for d in found] == [("etcd", "*", Kind.STRUCTURAL)]

    def test_key_on_one_side_only(self) -> None:
        """A key present on one side only is structural."""
        found = diff(snapshot(settings={"redis": {"a": "1"}}), snapshot(settings={"redis": {}}))
        assert [(d.key, d.local, d.target, d.kind) for d in found] == [
            ("a", "1", None, Kind.STRUCTURAL)
        ]

    def test_partial_side_skips_missing_keys(self) -> None:
        """A target listing only some keys (partial) does not flag the others."""
        local = snapshot(settings={"redis": {"a": "1", "b": "2"}})
        target = snapshot(settings={"redis": {"a": "1"}}, partial=["redis"])
        assert diff(local, target) == []

    def test_redis_aliases_reported_once(self) -> None:
        """slave-read-only and replica-read-only are one setting, reported once."""
        local = snapshot(settings={"redis": {"replica-read-only": "no", "slave-read-only": "no"}})
        target = snapshot(
            settings={"redis": {"replica-read-only": "yes", "slave-read-only": "yes"}}
        )
        assert [d.key for d in diff(local, target)] == ["replica-read-only"]

    def test_per_member_values_compare_equal(self) -> None:
        """Values that differ between members on both sides are not drift."""
        local = snapshot(settings={"etcd": {"name": "<per-member>"}})
        assert diff(local, snapshot(settings={"etcd": {"name": "<per-member>"}})) == []


class TestSpeed:
    def test_thousand_settings_diff_quickly(self) -> None:
        """Diffing two 1,000-setting snapshots stays well under the 200 ms budget."""
        a = snapshot(settings={"postgresql": {
            f"s{i}": Setting(value=str(i), unit="kB", vartype="integer") for i in range(1000)}})  # fmt: skip
        b = snapshot(settings={"postgresql": {
            f"s{i}": Setting(value=f"{i}kB", vartype="integer") for i in range(1000)}})  # fmt: skip
        start = time.perf_counter()
        build_report(a, b)
        assert time.perf_counter() - start < 1.0  # generous: CI machines vary; benches measure


class TestClusterWideFixes:
    def test_without_patroni_alter_system(self, staging: Snapshot) -> None:
        """A lone PostgreSQL (no Patroni on the local side) is fixed with ALTER SYSTEM."""
        local = snapshot(settings={"postgresql": {"statement_timeout": Setting(value="30s")}})
        target = snapshot("t", settings={"postgresql": {"statement_timeout": "0"}})
        (found,) = build_report(local, target).findings
        assert found.remediation.startswith("ALTER SYSTEM SET statement_timeout = '0'")

    def test_patroni_postmaster_setting_with_restart_hint(self, staging: Snapshot) -> None:
        """A postmaster-context setting in a Patroni cluster: DCS, then a pending restart."""
        local = plant(staging, "postgresql", "shared_buffers", "16384")
        by_key = {f.key: f for f in build_report(local, staging).findings}
        buffers = by_key["shared_buffers"]
        assert buffers.restart_required
        assert buffers.remediation == (
            "patronictl edit-config paws --force --pg shared_buffers='4GB'"
            " then restart: patronictl restart paws --pending --force"
        )

    def test_patroni_setting_the_target_lacks_is_removed_from_the_dcs(
        self, staging: Snapshot
    ) -> None:
        """A parameter only the local Patroni cluster sets is removed from the DCS, not RESET."""
        local = plant(staging, "postgresql", "my_ext.flag", "on")
        by_key = {f.key: f for f in build_report(local, staging).findings}
        assert by_key["my_ext.flag"].remediation == (
            "patronictl edit-config paws --force --set postgresql.parameters.my_ext.flag=null"
        )
