"""TC-030 (part): the usability sweep over the console commands on the running stack.

Every paws-stack command: --help works; a bad argument is one error line, a `fix:` line and
exit 2 with no traceback and nothing on stdout. Every read-only command with --json prints
exactly one JSON document on stdout; NO_COLOR leaves no ANSI codes even when colour is forced.
The other console scripts: --help and exit 2 on a bad argument (their messages are argparse's).
Not covered yet: the README's commands in a fresh shell after `make local-start`.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import cli, console_script
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
