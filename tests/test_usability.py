"""TC-030 (part): the usability sweep over the console commands on the running stack.

Every paws-stack command: --help works; a bad argument is one error line, a `fix:` line and
exit 2 with no traceback and nothing on stdout. Every read-only command with --json prints
exactly one JSON document on stdout; NO_COLOR leaves no ANSI codes even when colour is forced.
The other console scripts: --help and exit 2 on a bad argument (their messages are argparse's).
The README's commands in a fresh shell: every nox session and Make target it names exists once
the shell follows the README's own PATH line, and its read-only commands run as written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, cli, console_script
from paws_stack import Stack
from paws_stack.cli import _parser

pytestmark = pytest.mark.stack

ANSI = re.compile(r"\x1b\[")
COMMANDS = sorted(_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
# Read-only commands and their arguments: each --json run must print exactly one document.
JSON_COMMANDS = [
    ["health"],
    ["status"],
    ["endpoints"],
    ["metrics", "--interval", "0.5"],
    ["inspect", "postgres"],
    ["inspect", "redis"],
    ["inspect", "etcd"],
    ["inspect", "haproxy"],
    ["inspect", "apps"],
    ["top"],
]
OTHER_SCRIPTS = ["paws_parity.cli", "paws_chaos.cli", "paws_ci.cli"]


def test_tc030_the_sweep_covers_every_command() -> None:
    """The sweep's lists name every paws-stack command that reads the stack."""
    assert {"health", "status", "metrics", "inspect", "top", "logs"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_tc030_help_works(command: str) -> None:
    """`paws-stack <command> --help` prints its usage on stdout and exits 0."""
    result = cli(command, "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: paws-stack {command}")


@pytest.mark.parametrize("command", COMMANDS)
def test_tc030_bad_argument_is_one_line_a_fix_and_exit_2(command: str) -> None:
    """An unknown option: one `error:` line, then its fix, exit 2, no traceback, no stdout."""
    result = cli(command, "--no-such-option", timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: "), result.stderr
    assert lines[1].strip().startswith("fix: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=" ".join)
def test_tc030_json_is_exactly_one_document(stack: Stack, args: list[str]) -> None:
    """--json: stdout parses as one JSON document (json.loads refuses anything after it)."""
    result = cli(*args, "--json", timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert isinstance(json.loads(result.stdout), dict)
    assert not ANSI.search(result.stdout)


@pytest.mark.parametrize(
    "args", [["status"], ["metrics", "--interval", "0.5"], ["top"]], ids=" ".join
)
def test_tc030_no_color_leaves_no_ansi_codes(stack: Stack, args: list[str]) -> None:
    """With colour forced (FORCE_COLOR, as a terminal would get it), the tables are coloured;
    NO_COLOR then leaves no ANSI code in stdout or stderr."""
    coloured = cli(*args, env={"FORCE_COLOR": "1"}, timeout=120)
    assert ANSI.search(coloured.stdout + coloured.stderr), "the control run shows no colour"
    plain = cli(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}, timeout=120)
    assert plain.returncode in (0, 1), plain.stderr
    assert plain.stdout.strip()
    assert not ANSI.search(plain.stdout + plain.stderr)


@pytest.mark.parametrize("module", OTHER_SCRIPTS)
def test_tc030_other_scripts_help_and_bad_argument(module: str) -> None:
    """paws-parity, paws-chaos and paws-ci: --help exits 0; a bad argument exits 2 without a
    traceback."""
    helped = console_script(module, "--help", timeout=60)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: ")
    bad = console_script(module, "--no-such-option", timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""


README = ROOT / "README.md"
README_COMMAND = re.compile(r"`((?:make local-[a-z0-9-]+|nox -s [a-z0-9-]+|nox -l)[^`]*)`")
# The README's commands that only read the stack: run exactly as written (on the test project).
READ_ONLY_AS_WRITTEN = [
    "nox -l",
    "make local-health",
    "make local-status",
    "make local-endpoints",
    "nox -s health -- --json",
    "nox -s status",
    "nox -s inspect -- postgres",
    "nox -s top",
    "nox -s metrics",
]


def _readme_commands() -> list[str]:
    return sorted(set(README_COMMAND.findall(README.read_text("utf-8"))))


def _fresh_shell(command: str) -> subprocess.CompletedProcess[str]:
    """`command` in a new shell, as a user's terminal has it: the test session's virtualenvs
    (nox's and the tools') off PATH, then only the README's own PATH line. The PAWS_* settings
    stay, so it targets the test project, never the developer's."""
    path_line = re.search(r"^export PATH=.*$", README.read_text("utf-8"), re.MULTILINE)
    assert path_line, "the README no longer says how to put nox on the PATH"
    ours = (ROOT / ".nox", ROOT / ".paws")
    kept = [
        entry
        for entry in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if not any(Path(entry).is_relative_to(root) for root in ours)
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "NOX_CURRENT_SESSION")}
    env["PATH"] = os.pathsep.join(kept)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", f"{path_line[0]}\n{command}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def nox_installed_as_make_does() -> None:
    """What `make local-start` does first: nox into .paws/tools (a no-op when it is there)."""
    installed = _fresh_shell("make --no-print-directory .paws/tools/bin/nox")
    assert installed.returncode == 0, installed.stderr


def test_tc030_readme_names_only_sessions_and_targets_that_exist(
    nox_installed_as_make_does: None,
) -> None:
    """Every `nox -s X` in the README is a session, every `make local-x` a Make target."""
    commands = _readme_commands()
    sessions = {c.split()[2] for c in commands if c.startswith("nox -s ")}
    targets = {c.split()[1] for c in commands if c.startswith("make ")}
    assert len(sessions) >= 15 and len(targets) >= 10, commands
    listed = _fresh_shell("nox -l")
    assert listed.returncode == 0, listed.stderr
    known = set(re.findall(r"^[*-] ([a-z0-9-]+) ->", listed.stdout, re.MULTILINE))
    assert sessions <= known, f"not sessions: {sorted(sessions - known)}"
    for target in sorted(targets):
        dry = _fresh_shell(f"make -n {target}")
        assert dry.returncode == 0, f"{target}: {dry.stderr}"


@pytest.mark.parametrize("command", READ_ONLY_AS_WRITTEN)
def test_tc030_readme_command_runs_as_written_in_a_fresh_shell(
    stack: Stack, nox_installed_as_make_does: None, command: str
) -> None:
    """After `make local-start` and the README's PATH line, the command works as printed."""
    assert command in _readme_commands(), f"the README no longer shows `{command}`"
    result = _fresh_shell(command)
    assert result.returncode == 0, result.stdout[-1500:] + result.stderr[-1500:]
    assert result.stdout.strip(), "printed nothing on stdout"
    assert "command not found" not in result.stderr
