"""A partial target is judged on what it describes, never punished for what it leaves out."""

from __future__ import annotations

import pytest
from helpers import snapshot

from paws_parity import Severity, Snapshot, Topology, build_report, bundled_snapshot


@pytest.fixture(scope="module")
def staging() -> Snapshot:
    return bundled_snapshot()


def _partial(**fields: object) -> Snapshot:
    """A hand-written target listing a few PostgreSQL and Patroni settings."""
    settings = {"postgresql": {"work_mem": "16MB"}, "patroni": {"ttl": 30}}
    return snapshot("team-staging", settings=settings, partial=["postgresql", "patroni"], **fields)


class TestPartialTargets:
    def test_undescribed_components_are_not_compared(self, staging: Snapshot) -> None:
        """No 'whole component missing' for etcd, HAProxy, Redis or Sentinel: score 100."""
        report = build_report(staging, _partial())
        assert report.findings == []
        assert report.score.score == 100
        (note,) = [n for n in report.notes if "not compared" in n and "partial" in n]
        assert note.startswith("etcd, haproxy, redis, sentinel not compared: the target")

    def test_breakdown_lists_only_compared_components(self, staging: Snapshot) -> None:
        """The per-component scores do not show a perfect 100 for what was never compared."""
        report = build_report(staging, _partial())
        assert {c.component for c in report.score.components} == {"postgresql", "patroni"}

    def test_members_without_settings_compare_counts(self, staging: Snapshot) -> None:
        """`topology.members` for a component without settings: its count is compared, only."""
        target = _partial(topology=Topology(members={"redis": 1, "sentinel": 3}))
        report = build_report(staging, target)
        found = [(f.component, f.key, f.local, f.target) for f in report.findings]
        assert found == [("redis", "members", 3, 1)]
        assert any("member counts compared for redis, sentinel" in n for n in report.notes)

    def test_a_described_setting_still_differs(self, staging: Snapshot) -> None:
        """What the partial target does list is compared as usual."""
        target = snapshot(
            "t", settings={"postgresql": {"work_mem": "64MB"}}, partial=["postgresql"]
        )
        (found,) = build_report(staging, target).findings
        assert (found.key, found.local, found.target) == ("work_mem", "16MB", "64MB")

    def test_no_version_findings_for_versions_it_does_not_give(self, staging: Snapshot) -> None:
        """A partial target with only a PostgreSQL version compares that version only."""
        target = _partial(versions={"postgresql": "14"})
        report = build_report(staging, target)
        assert [(f.component, f.key) for f in report.findings] == [("postgresql", "version")]

    def test_a_complete_target_still_reports_missing_components(self, staging: Snapshot) -> None:
        """Without `partial`, a component absent from the target is still CRITICAL."""
        target = snapshot("t", settings={"postgresql": {"work_mem": "16MB"}})
        report = build_report(staging, target)
        whole = [f for f in report.findings if f.key == "*"]
        assert whole and all(f.severity is Severity.CRITICAL for f in whole)
