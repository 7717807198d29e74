"""The action's step logic: down keeps volumes it did not create; container text stays inert."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "paws_action.py"
COMMAND = re.compile(r"^::([a-z0-9-]+)(?: [^:]*)?::")


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paws_action", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The action module with a private RUNNER_TEMP and GITHUB_OUTPUT, and no real paws-stack."""
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("INPUT_PROFILE", "full")
    return _load()


class FakePaws:
    """Stands in for the paws-stack console script: records argv, answers per command."""

    def __init__(self, answers: dict[str, tuple[int, str, str]] | None = None) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.answers = answers or {}

    def __call__(self, *args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        code, out, err = self.answers.get(args[0], (0, "", ""))
        return subprocess.CompletedProcess(list(args), code, out, err)


def _commands(out: str) -> list[str]:
    """The workflow commands a runner would see: lines starting with `::`, until stop-commands."""
    seen, stopped_until = [], None
    for line in out.splitlines():
        stripped = line.lstrip()
        if stopped_until is not None:
            if stripped == f"::{stopped_until}::":
                stopped_until = None
            continue
        match = COMMAND.match(stripped)
        if match:
            seen.append(match.group(1))
            if match.group(1) == "stop-commands":
                stopped_until = stripped.split("::")[2]
    return seen


class TestDown:
    @pytest.mark.parametrize(
        ("recorded", "choice", "wipes"),
        [
            (True, "auto", True),
            (False, "auto", False),
            (None, "auto", False),
            (False, "true", True),
            (True, "false", False),
        ],
        ids=["created-here", "existed-before", "no-up-in-job", "asked-true", "asked-false"],
    )
    def test_volumes_only_of_a_project_this_job_created(
        self,
        action: ModuleType,
        monkeypatch: pytest.MonkeyPatch,
        recorded: bool | None,
        choice: str,
        wipes: bool,
    ) -> None:
        """down passes --volumes only if this job's up created the project, or when told to."""
        fake = FakePaws()
        monkeypatch.setattr(action, "paws", fake)
        monkeypatch.setattr(action, "project_info", lambda: {"project": "pawsci", "exists": True})
        monkeypatch.setenv("INPUT_VOLUMES", choice)
        if recorded is not None:
            action.record_creation("pawsci", recorded)
        assert action.down() == 0
        # --yes: without a terminal, paws-stack deletes volumes only when told so explicitly.
        assert fake.calls == [("down", "--volumes", "--yes") if wipes else ("down",)]
        assert action.state_file("pawsci").exists() is (recorded is not None and not wipes)

    def test_bad_choice_is_exit_2_and_touches_nothing(
        self,
        action: ModuleType,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        fake = FakePaws()
        monkeypatch.setattr(action, "paws", fake)
        monkeypatch.setenv("INPUT_VOLUMES", "yes")
        assert action.down() == 2
        assert fake.calls == [] and "::error::volumes must be auto" in capsys.readouterr().out

    def test_default_is_auto(self) -> None:
        """The action's declared default for `volumes` is auto, not true."""
        text = (SCRIPT.parent / "action.yml").read_text("utf-8")
        volumes = text.split("  volumes:", 1)[1].split("outputs:", 1)[0]
        assert "default: auto" in volumes


class TestUp:
    @pytest.mark.parametrize("exists", [False, True])
    def test_up_records_whether_it_created_the_project(
        self, action: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, exists: bool
    ) -> None:
        """The state file and the `created` output say whether the project existed before up."""
        states: list[bool] = []
        health = json.dumps({"project": "pawsci", "components": [{"healthy": True}]})

        def fake(*args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
            if args[0] == "up":  # the record is written before anything is started
                states.append(action.created_by_this_job("pawsci"))
            return subprocess.CompletedProcess(list(args), 0, health, "")

        monkeypatch.setattr(action, "paws", fake)
        monkeypatch.setattr(action, "project_info", lambda: {"project": "pawsci", "exists": exists})
        monkeypatch.setattr(action, "endpoint_outputs", lambda h: {})
        assert action.up() == 0
        assert states == [not exists]
        assert "created<<" in (tmp_path / "output").read_text("utf-8")
        assert ("true" if not exists else "false") in (tmp_path / "output").read_text("utf-8")


class TestUntrustedText:
    HOSTILE: ClassVar[list[str]] = [
        "::set-output name=postgres-url::postgresql://evil",
        "  ::add-mask::",
        "::stop-commands::guess",
        "::endgroup::",
        "plain line",
    ]

    def test_no_container_line_becomes_a_command(
        self, action: ModuleType, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each line is prefixed and the block is fenced by a random stop-commands token."""
        action.untrusted(self.HOSTILE)
        out = capsys.readouterr().out.splitlines()
        assert out[0].startswith("::stop-commands::") and out[-1] == f"::{out[0].split('::')[2]}::"
        assert re.fullmatch(r"[0-9a-f]{32}", out[0].split("::")[2])
        assert all(line.startswith("| ") for line in out[1:-1])
        assert [line[2:] for line in out[1:-1]] == self.HOSTILE

    def test_tokens_differ(self, action: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
        """A log cannot guess the token that resumes command processing."""
        action.untrusted(["a"])
        action.untrusted(["b"])
        starts = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::stop")]
        assert len(set(starts)) == 2

    def test_failure_report_shows_logs_inert(
        self,
        action: ModuleType,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The failure report's health and log groups: only the action's own commands remain."""
        health = json.dumps({"components": [{"name": "redis-0", "healthy": False}]})
        logs = "\n".join(self.HOSTILE)
        monkeypatch.setattr(
            action, "paws", FakePaws({"health": (1, health, ""), "logs": (0, logs, "")})
        )
        assert action.report_failure("timeout\n::set-env name=X::y\r\n::add-mask::z") == 1
        out = capsys.readouterr().out
        assert _commands(out) == [
            "error", "group", "stop-commands", "endgroup", "group", "stop-commands", "endgroup"
        ]  # fmt: skip
        assert "| ::set-output name=postgres-url::postgresql://evil" in out
        assert "timeout%0A::set-env name=X::y%0D%0A::add-mask::z" in out


def test_runs_standalone() -> None:
    """The script imports with the standard library alone (the action's venv has no extras)."""
    code = f"import runpy; runpy.run_path({str(SCRIPT)!r}, run_name='not_main')"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
