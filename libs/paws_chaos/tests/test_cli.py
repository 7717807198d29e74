"""The console script: list, exit codes for could-not-run."""

from __future__ import annotations

import json

import pytest

from paws_chaos.cli import main


class TestList:
    """`paws-chaos list` shows every scenario."""

    def test_plain(self, capsys: pytest.CaptureFixture[str]) -> None:
        """One line per scenario with its description."""
        assert main(["list"]) == 0
        out = capsys.readouterr().out
        assert "patroni-leader-failure" in out and len(out.strip().splitlines()) == 9

    def test_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--json prints one JSON document."""
        assert main(["list", "--json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 9


class TestCouldNotRun:
    """Exit 2 when nothing was injected for reasons other than the stack's health."""

    def test_unknown_scenario_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The message names the choices; stdout stays empty."""
        assert main(["run", "no-such-thing", "--json"]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and "paws-chaos list" in captured.err
