"""Caps on scenario files: an alias bomb or a huge file is refused at once, with one message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from paws_chaos import limits
from paws_chaos.errors import ScenarioError
from paws_chaos.scenarios import list_scenarios, load_scenario, parse_scenario


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """`levels` lists of `width` aliases of the list before: width**levels nodes, ~440 bytes."""
    lines = ["name: bomb", f"a0: &a0 [{','.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{','.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


class TestScenarioCaps:
    def test_alias_bomb_is_refused_fast(self) -> None:
        """A nested-alias scenario is a ScenarioError within a second, naming the cap."""
        started = time.monotonic()
        with pytest.raises(ScenarioError) as caught:
            parse_scenario(alias_bomb(), "bomb.yaml")
        assert time.monotonic() - started < 1.0
        assert "too large to read" in caught.value.message
        assert f"more than {limits.MAX_NODES} nodes" in caught.value.message

    def test_huge_scenario_file_is_refused_by_size(self, tmp_path: Path) -> None:
        """A scenario file over the byte cap in the scenario directory is refused unread."""
        with (tmp_path / "huge.yaml").open("wb") as handle:
            handle.truncate(limits.MAX_BYTES + 1)
        with pytest.raises(ScenarioError, match=f"more than the limit of {limits.MAX_BYTES}"):
            load_scenario("huge", tmp_path)

    def test_syntax_errors_keep_their_own_message(self) -> None:
        """Broken YAML is still reported as a syntax error, not as a size problem."""
        with pytest.raises(ScenarioError, match="not valid YAML"):
            parse_scenario("name: [unclosed\n", "broken.yaml")

    def test_bundled_scenarios_are_far_below_the_caps(self) -> None:
        """Every shipped scenario loads and counts a small fraction of the node cap."""
        for scenario in list_scenarios():
            text = yaml.safe_dump(scenario.model_dump())
            assert limits.expanded_nodes(yaml.parse(text)) < limits.MAX_NODES / 50
