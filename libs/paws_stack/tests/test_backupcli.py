"""Tests for the backup and restore commands' pure parts: confirmation, listing, report."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_backupformat import write_backup

from paws_stack import backupcli, cli, console
from paws_stack.backupformat import Manifest
from paws_stack.errors import ConfirmationRequired
from paws_stack.restorecheck import RestoreReport, check


@pytest.fixture
def manifest(tmp_path: Path) -> Manifest:
    return write_backup(tmp_path / "backups" / "20261202T021507Z")


def stack_at(root: Path) -> Any:
    settings = SimpleNamespace(state_path=root)
    return SimpleNamespace(project="paws", settings=settings)


class TestConfirmation:
    def test_yes_skips_the_question(self, manifest: Manifest) -> None:
        """--yes: nothing is asked, whether or not there is a terminal."""
        backupcli.confirm_restore(stack_at(Path()), manifest, assume_yes=True, interactive=False)

    def test_without_a_terminal_it_needs_yes(self, manifest: Manifest) -> None:
        """A script without --yes is refused, and told the exact command."""
        with pytest.raises(ConfirmationRequired, match="no terminal to ask on") as refused:
            backupcli.confirm_restore(stack_at(Path()), manifest, False, False)
        assert f"paws-stack restore {manifest.name} --yes" in refused.value.remediation

    @pytest.mark.parametrize(("answer", "restores"), [("y\n", True), ("\n", False), ("no", False)])
    def test_on_a_terminal_only_yes_restores(
        self, manifest: Manifest, monkeypatch: pytest.MonkeyPatch, answer: str, restores: bool
    ) -> None:
        """The question names what is replaced; anything but y/yes keeps the data."""
        asked: list[str] = []
        monkeypatch.setattr(console.err, "input", lambda q, **_: asked.append(q) or answer)
        if restores:
            backupcli.confirm_restore(stack_at(Path()), manifest, False, True)
        else:
            with pytest.raises(ConfirmationRequired, match="not confirmed"):
                backupcli.confirm_restore(stack_at(Path()), manifest, False, True)
        assert "replaces all PostgreSQL, Redis and etcd data of project paws" in asked[0]


class TestListing:
    def test_json_lists_each_backup_with_its_figures(
        self, manifest: Manifest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """One JSON document: good backups with counts, broken ones with their problem."""
        (tmp_path / "backups" / "junk").mkdir()
        assert backupcli.show_list(stack_at(tmp_path), as_json=True) == 0
        rows = json.loads(capsys.readouterr().out)
        assert [r["name"] for r in rows] == ["20261202T021507Z", "junk"]
        assert rows[0]["postgres_rows"] == 2 and rows[0]["redis_keys"] == 3
        assert rows[0]["etcd_keys"] == 9 and rows[0]["problem"] == ""
        assert "no manifest.json" in rows[1]["problem"]

    def test_plain_lines_without_a_terminal(
        self, manifest: Manifest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Tab-separated data on stdout when piped."""
        backupcli.show_list(stack_at(tmp_path), as_json=False)
        line = capsys.readouterr().out.splitlines()[0].split("\t")
        assert line[:3] == ["20261202T021507Z", "paws", "lite"]


class TestReport:
    def test_a_difference_is_named_and_fails_verification(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Every differing check gets its own line on stderr; `verified` is false."""
        stderr = io.StringIO()
        monkeypatch.setattr(console.err, "file", stderr)
        report = RestoreReport(
            backup="b",
            project="paws",
            seconds=30.0,
            healthy=True,
            checks=[check("etcd", "keys", 9, 9), check("redis", "db0 keys", 3, 2)],
        )
        assert not report.verified
        backupcli.show_report(report, as_json=True)
        document = json.loads(capsys.readouterr().out)
        assert document["verified"] is False and len(document["checks"]) == 2
        assert "differs: redis db0 keys: manifest 3, restored 2" in stderr.getvalue()


class TestParser:
    def test_list_takes_no_lock_and_restore_needs_a_backup(self) -> None:
        """`backup --list` is read-only; `restore` without a backup is a usage error."""
        args = cli._parser().parse_args(["backup", "--list"])
        assert args.command == "backup" and args.list
        with pytest.raises(SystemExit):
            cli._parser().parse_args(["restore"])
        restore = cli._parser().parse_args(["restore", "b", "--yes"])
        assert (restore.backup, restore.yes) == ("b", True)
