"""The HTTP workload is scenario data: which scenarios require AC-2's zero errors, which call
Redis through the apps, and what a malformed `http` block gets told."""

from __future__ import annotations

import pytest

from paws_chaos import ScenarioError, list_scenarios, load_scenario
from paws_chaos.scenarios import parse_scenario

AC2 = ("patroni-leader-failure", "patroni-switchover", "redis-master-failure", "sentinel-failure")
REDIS = ("redis-master-failure", "sentinel-failure")

DEMO = """
name: demo
description: d
proves: p
recovery: r
workloads: [postgres]
steps:
  - fault: kill
    target: patroni.leader
"""


class TestShippedHttpBlocks:
    """What the shipped scenarios ask of the application."""

    @pytest.mark.parametrize("name", AC2)
    def test_the_seed_failovers_require_zero_errors_and_zero_lost(self, name: str) -> None:
        """AC-2: required, max_errors 0, max_lost 0."""
        http = load_scenario(name).http
        assert http is not None and http.required
        assert (http.max_errors, http.max_lost) == (0, 0)

    @pytest.mark.parametrize("name", REDIS)
    def test_redis_scenarios_also_call_redis_through_the_app(self, name: str) -> None:
        """POST /api/visits is a Redis INCR in the backend."""
        http = load_scenario(name).http
        assert http is not None and http.calls == ["notes", "visits"]

    def test_every_scenario_measures_the_app_and_never_allows_a_lost_note(self) -> None:
        """The others measure and report; a lost acknowledged note fails everywhere."""
        for scenario in list_scenarios():
            assert scenario.http is not None, scenario.name
            assert scenario.http.max_lost == 0, scenario.name
            if scenario.name not in AC2:
                assert not scenario.http.required and scenario.http.max_errors is None


class TestHttpBlockValidation:
    """A bad `http` block is refused naming the field."""

    def test_a_required_workload_without_notes_is_refused(self) -> None:
        """The loss check needs notes."""
        text = DEMO + "http:\n  calls: [visits]\n  required: true\n"
        with pytest.raises(ScenarioError, match="notes"):
            parse_scenario(text, "demo.yaml")

    def test_an_unknown_call_is_refused(self) -> None:
        """Only notes and visits exist in the apps' API."""
        with pytest.raises(ScenarioError, match=r"http\.calls"):
            parse_scenario(DEMO + "http:\n  calls: [orders]\n", "demo.yaml")

    def test_no_http_block_means_no_http_workload(self) -> None:
        """A team's own scenario need not involve the apps."""
        assert parse_scenario(DEMO, "demo.yaml").http is None
