"""Tests for paws_stack.cli that never reach an engine: argument parsing and error reporting."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

import paws_stack
from paws_stack import cli, console


class CurrentStream:
    """Whatever sys.<name> is at the moment of writing (capsys swaps it per test phase)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(getattr(sys, self.name), attr)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No caller settings, no engine, and the rich consoles writing where capsys looks."""
    for name in list(os.environ):
        if name.startswith("PAWS_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)

    def no_engine(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("a CLI unit test reached Stack(): it would talk to the engine")

    monkeypatch.setattr(cli, "Stack", no_engine)
    # The consoles bind sys.stdout/sys.stderr at import; make them follow capsys's streams.
    monkeypatch.setattr(console.err, "file", CurrentStream("stderr"))
    monkeypatch.setattr(console.out, "file", CurrentStream("stdout"))
    yield


class TestMalformedSetting:
    @pytest.mark.parametrize("command", [["up"], ["down"], ["health"], ["setup", "--yes"]])
    def test_exit_code_is_2(self, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
        """A malformed setting stops any command before it starts, with exit code 2."""
        monkeypatch.setenv("PAWS_PG_PORT", "abc")
        assert cli.main(command) == 2

    def test_one_error_line_naming_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """stderr has exactly one `error:` line, and it names PAWS_PG_PORT."""
        monkeypatch.setenv("PAWS_PG_PORT", "abc")
        cli.main(["up"])
        errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
        assert len(errors) == 1
        assert errors[0].startswith("error: invalid setting PAWS_PG_PORT='abc'")

    def test_remediation_follows(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The error is followed by its `fix:` line, and nothing else (no traceback)."""
        monkeypatch.setenv("PAWS_PG_PORT", "abc")
        cli.main(["up"])
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 2
        assert lines[1] == "  fix: fix or unset PAWS_PG_PORT in your environment or .env file"

    def test_nothing_on_stdout(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """stdout stays empty, even with --json."""
        monkeypatch.setenv("PAWS_PG_PORT", "abc")
        cli.main(["--json", "health"])
        assert capsys.readouterr().out == ""

    def test_ci_variable_is_named_as_spelled(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A bad CI value is reported as CI, not PAWS_CI."""
        monkeypatch.setenv("CI", "maybe")
        assert cli.main(["up"]) == 2
        assert capsys.readouterr().err.startswith("error: invalid setting CI='maybe'")

    def test_duplicate_ports_exit_2(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two settings on one port stop the command with both variables named."""
        monkeypatch.setenv("PAWS_REDIS_PORT", "15432")
        assert cli.main(["up"]) == 2
        err = capsys.readouterr().err
        assert "PAWS_REDIS_PORT" in err and "PAWS_PG_PORT" in err


class TestParsing:
    def test_help_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help prints usage on stdout and exits 0."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["--help"])
        assert caught.value.code == 0
        assert "usage: paws-stack" in capsys.readouterr().out

    @pytest.mark.parametrize(
        "command",
        ["setup", "up", "build", "down", "health", "status", "endpoints", "logs", "metrics"],
    )
    def test_subcommand_help_exits_0(self, command: str) -> None:
        """Each subcommand has its own --help."""
        with pytest.raises(SystemExit) as caught:
            cli.main([command, "--help"])
        assert caught.value.code == 0

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the package version and exits 0."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["--version"])
        assert caught.value.code == 0
        assert capsys.readouterr().out.strip() == f"paws-stack {paws_stack.__version__}"

    def test_unknown_subcommand_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown subcommand is a usage error: exit 2 with a message on stderr."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["explode"])
        assert caught.value.code == 2
        assert "invalid choice: 'explode'" in capsys.readouterr().err

    def test_no_subcommand_exits_2(self) -> None:
        """A subcommand is required."""
        with pytest.raises(SystemExit) as caught:
            cli.main([])
        assert caught.value.code == 2

    def test_contradicting_profiles_exit_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--profile full with --profile lite is one error line with its fix, exit 2."""
        assert cli.main(["up", "--profile", "full", "--profile", "lite"]) == 2
        err = capsys.readouterr().err
        assert "error: --profile full and lite contradict each other" in err
        assert "fix: choose one of full or lite" in err and "Traceback" not in err

    @pytest.mark.parametrize(
        ("chosen", "settings"),
        [
            (["observability"], {"observability": True}),
            (["lite", "observability"], {"profile": "lite", "observability": True}),
            (["full"], {"profile": "full"}),
            ([], {}),
        ],
    )
    def test_observability_goes_with_either_profile(
        self, chosen: list[str], settings: dict[str, Any]
    ) -> None:
        """`--profile observability` adds the exporters; full or lite still picks the size."""
        assert cli._profile_overrides(chosen) == settings

    @pytest.mark.parametrize("interval", ["0", "-1", "61", "soon"])
    def test_metrics_interval_out_of_range_exits_2(
        self, capsys: pytest.CaptureFixture[str], interval: str
    ) -> None:
        """A --interval that is no number of seconds in (0, 60] is refused with its fix."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["metrics", "--interval", interval])
        assert caught.value.code == 2
        assert "fix: e.g. --interval 2" in capsys.readouterr().err

    def test_unknown_profile_exits_2(self) -> None:
        """--profile accepts only full, lite and observability."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["--profile", "huge", "up"])
        assert caught.value.code == 2

    def test_restart_needs_a_service(self) -> None:
        """restart without a service name is a usage error."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["restart"])
        assert caught.value.code == 2
