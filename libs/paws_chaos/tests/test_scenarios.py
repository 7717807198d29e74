"""Scenarios are data: the shipped YAML files load, and bad ones are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_chaos import ScenarioError, list_scenarios, load_scenario
from paws_chaos.scenarios import parse_scenario

ISSUE_SCENARIOS = {
    "patroni-leader-failure",
    "patroni-switchover",
    "patroni-replica-failure",
    "redis-master-failure",
    "sentinel-failure",
    "etcd-member-failure",
    "etcd-quorum-loss",
    "leader-partition",
    "leader-freeze",
}

VALID = """
name: demo
description: d
proves: p
recovery: r
workloads: [postgres]
steps:
  - fault: kill
    target: patroni.leader
"""


class TestShippedScenarios:
    """The package ships every scenario the issue asks for."""

    def test_all_nine_are_shipped(self) -> None:
        """Names match the issue."""
        assert {s.name for s in list_scenarios()} == ISSUE_SCENARIOS

    @pytest.mark.parametrize("name", sorted(ISSUE_SCENARIOS))
    def test_each_has_a_bounded_expectation(self, name: str) -> None:
        """Every scenario says what it proves and requires a real workload."""
        scenario = load_scenario(name)
        assert scenario.proves and scenario.recovery
        assert scenario.expect.min_acked >= 50

    def test_leader_scenarios_expect_a_timeline_advance(self) -> None:
        """Promotion means a new timeline; a replica failure keeps it."""
        assert load_scenario("patroni-leader-failure").expect.timeline == "advance"
        assert load_scenario("patroni-replica-failure").expect.timeline == "same"

    def test_etcd_member_failure_allows_no_interruption(self) -> None:
        """TC-022: 0 s and 0 client errors."""
        expect = load_scenario("etcd-member-failure").expect
        assert expect.max_write_unavailable_s == 0 and expect.max_client_errors == 0


class TestBadScenarios:
    """Invalid data is refused with the file and field named (exit 2 material)."""

    def test_unknown_scenario_lists_the_choices(self) -> None:
        """The remediation names the known scenarios."""
        with pytest.raises(ScenarioError) as caught:
            load_scenario("nope")
        assert "patroni-leader-failure" in caught.value.remediation

    def test_unknown_target(self) -> None:
        """Targets are kind.role from a fixed list."""
        with pytest.raises(ScenarioError, match="unknown target"):
            parse_scenario(VALID.replace("patroni.leader", "patroni.boss"), "demo")

    def test_unknown_field(self) -> None:
        """A typo in a key is an error, not silently ignored."""
        with pytest.raises(ScenarioError, match=r"steps\.0\.delay"):
            parse_scenario(VALID + "    delay: 3\n", "demo")

    def test_isolate_needs_peers(self) -> None:
        """An isolation without peers would isolate from nothing."""
        with pytest.raises(ScenarioError, match="peers"):
            parse_scenario(VALID.replace("fault: kill", "fault: isolate"), "demo")

    def test_name_must_match_file(self) -> None:
        """One scenario per file, named after it."""
        with pytest.raises(ScenarioError, match="file name"):
            parse_scenario(VALID, "other")

    def test_broken_yaml(self) -> None:
        """A YAML syntax error is reported as such."""
        with pytest.raises(ScenarioError, match="not valid YAML"):
            parse_scenario("name: [", "demo")

    def test_extra_directory_adds_scenarios(self, tmp_path: Path) -> None:
        """PAWS_CHAOS_SCENARIO_DIR adds a user's own files."""
        (tmp_path / "demo.yaml").write_text(VALID)
        assert load_scenario("demo", tmp_path).steps[0].target == "patroni.leader"
