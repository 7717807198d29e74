"""The console script: list, exit codes for could-not-run."""

from __future__ import annotations

import json

import pytest

from paws_chaos import RecoveryReport, Repair
from paws_chaos.cli import main
from paws_chaos.recover import render_recovery


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


class TestRecoveryReport:
    """`recover`'s verdict: exit 0 only when every undo worked and the stack is healthy."""

    def report(self, healthy: bool, ok: bool) -> RecoveryReport:
        repair = Repair(what="unpause p-patroni-1-1", origin="journal", outcome="done", ok=ok)
        return RecoveryReport(project="p", journal="/j", repairs=[repair], healthy=healthy)

    @pytest.mark.parametrize(
        ("healthy", "ok", "code"), [(True, True, 0), (False, True, 1), (True, False, 1)]
    )
    def test_exit_code(self, healthy: bool, ok: bool, code: int) -> None:
        """A failed undo fails recovery even when health came back."""
        assert self.report(healthy, ok).exit_code == code

    def test_text_names_origin_outcome_and_verdict(self) -> None:
        """One line per undo with where it came from, then healthy or NOT healthy."""
        text = render_recovery(self.report(True, True))
        assert "[journal] unpause p-patroni-1-1: done" in text
        assert text.splitlines()[-1].startswith("healthy after")
        empty = RecoveryReport(project="p", journal=None, healthy=True)
        assert "nothing to undo" in render_recovery(empty)
