"""paws-stack: the console script. Each command is a small function over the Stack API.

This module parses the command line, picks the stack and runs the command under the project
lock; the commands live by family in lifecyclecli, statuscli, logscli, observecli and backupcli.

Exit codes: 0 success (health: healthy), 1 health not healthy, 2 could not run (one clear
message on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from docker.errors import DockerException

from . import __version__, _logging, backupcli, logscli
from ._signals import exit_code, termination_as_interrupt
from .console import TerminalProgress, close_progress, err
from .errors import PawsStackError
from .lifecyclecli import (
    cmd_build,
    cmd_dev,
    cmd_down,
    cmd_rebuild,
    cmd_restart,
    cmd_setup,
    cmd_up,
)
from .logscli import cmd_logs
from .observecli import cmd_inspect, cmd_metrics, cmd_top, scrape_interval
from .settings import load_settings
from .stack import Stack
from .statuscli import cmd_endpoints, cmd_health, cmd_status

Handler = Callable[[Stack, argparse.Namespace], int]
# Commands that change the project run under its lock (.paws/locks/<project>.lock).
LOCKED_COMMANDS = ("setup", "up", "down", "rebuild", "backup", "restore")


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line saying what is wrong and one naming the fix, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n  fix: see `{self.prog} --help`\n")


def _parser() -> argparse.ArgumentParser:
    common = OneLineParser(add_help=False)
    common.add_argument(
        "--profile",
        choices=["full", "lite", "observability"],
        action="append",
        default=argparse.SUPPRESS,
        help="full (default): 3+3+3+3 members; lite: 1 of each; observability (repeatable, "
        "with either): the PostgreSQL and Redis exporters and Prometheus "
        "(PAWS_OBSERVABILITY=true)",
    )
    common.add_argument(
        "--no-apps",
        dest="apps",
        action="store_false",
        default=argparse.SUPPRESS,
        help="infrastructure only: leave out the apps file's services (PAWS_APPS=false)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print one JSON document on stdout",
    )
    common.add_argument(
        "--no-wait",
        action="store_true",
        default=argparse.SUPPRESS,
        help="when another paws command is using the project, fail at once (exit 2)",
    )
    parser = OneLineParser(
        prog="paws-stack", parents=[common], description="The production HA stack, locally."
    )
    parser.add_argument("--version", action="version", version=f"paws-stack {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, parents=[common], help=help_text)
        command.set_defaults(handler=handler)
        return command

    for name, handler, text in (
        ("setup", cmd_setup, "install/check engine, secrets, images"),
        ("up", cmd_up, "start and wait until healthy"),
    ):
        command = add(name, handler, text)
        command.add_argument("--yes", "-y", action="store_true", help="install without asking")
        command.add_argument("--source", choices=["auto", "registry", "debian"])
        command.add_argument(
            "--tls",
            action="store_true",
            default=argparse.SUPPRESS,
            help="TLS mode: a local CA, every connection verified (PAWS_TLS=on; docs/tls.md)",
        )
        if name == "up":
            command.add_argument("--timeout", type=float, help="seconds to wait for health")
    add("build", cmd_build, "build missing images").add_argument(
        "--source", choices=["auto", "registry", "debian"]
    )
    down = add("down", cmd_down, "stop; keeps volumes")
    down.add_argument("--volumes", action="store_true", help="also delete the data volumes")
    down.add_argument(
        "--yes", "-y", action="store_true", help="with --volumes: delete without asking"
    )
    add("health", cmd_health, "probe every member; exit 0 healthy, 1 not, 2 cannot check")
    add("status", cmd_status, "topology: who leads, lag, timelines, volumes, ports")
    add("endpoints", cmd_endpoints, "connection URLs").add_argument(
        "--show-secrets", action="store_true", help="print real passwords instead of a mask"
    )
    logscli.add_arguments(
        add("logs", cmd_logs, "every service's lines, merged in time order, in one schema")
    )
    add(
        "metrics", cmd_metrics, "every /metrics endpoint and the key numbers; exit 1 if one fails"
    ).add_argument(
        "--interval",
        type=scrape_interval,
        default=1.0,
        help="seconds between the two scrapes (rates)",
    )
    add("inspect", cmd_inspect, "what one component reports about itself").add_argument(
        "component", choices=["postgres", "redis", "etcd", "haproxy", "apps"]
    )
    add("top", cmd_top, "each service's CPU and memory against its limits")
    add("restart", cmd_restart, "restart one service").add_argument("service")
    add("rebuild", cmd_rebuild, "rebuild one app's image, recreate only it").add_argument("service")
    backupcli.add_commands(add)
    add("dev", cmd_dev, "apps in dev mode (hot reload) until Ctrl-C").add_argument(
        "--polling",
        action="store_true",
        help="poll for changes instead of inotify (PAWS_DEV_POLLING; costs CPU)",
    )
    return parser


def _profile_overrides(chosen: list[str]) -> dict[str, Any]:
    """`--profile` values as settings: one of full/lite at most, observability on top."""
    sizes = sorted({p for p in chosen if p != "observability"})
    if len(sizes) > 1:
        raise PawsStackError(
            f"--profile {' and '.join(sizes)} contradict each other",
            "choose one of full or lite (observability goes with either)",
        )
    overrides: dict[str, Any] = {"profile": sizes[0]} if sizes else {}
    if "observability" in chosen:
        overrides["observability"] = True
    return overrides


def _pick_profile(args: argparse.Namespace) -> Stack:
    overrides = _profile_overrides(getattr(args, "profile", None) or [])
    if getattr(args, "source", None):
        overrides["image_source"] = args.source
    if getattr(args, "apps", True) is False:
        overrides["apps"] = False
    if getattr(args, "tls", False):
        overrides["tls"] = True
    settings = load_settings(**overrides)
    _logging.configure(settings.log_level)
    stack = Stack(settings, TerminalProgress())
    if "profile" not in overrides and args.command not in ("setup", "up", "build"):
        stack = _running_profile(stack)
    return stack


def _running_profile(stack: Stack) -> Stack:
    """Commands on a running stack follow whichever profile (and TLS mode) is running."""
    current = stack.inventory()
    if current.members:
        return _running_mode(stack, current.tls)
    other = "lite" if stack.profile == "full" else "full"
    candidate = Stack(stack.settings.model_copy(update={"profile": other}), stack.progress)
    found = candidate.inventory()
    return _running_mode(candidate, found.tls) if found.members else stack


def _running_mode(stack: Stack, tls: bool) -> Stack:
    """A stack started with `up --tls` is spoken to over TLS without repeating the flag."""
    if not tls or stack.settings.tls:
        return stack
    return Stack(stack.settings.model_copy(update={"tls": True}), stack.progress)


def _run(stack: Stack, args: argparse.Namespace) -> int:
    """The command's handler, under the project lock when it changes the project."""
    if args.command not in LOCKED_COMMANDS or getattr(args, "list", False):
        code: int = args.handler(stack, args)
        return code
    with stack.lock.hold(args.command, wait=not args.no_wait, report=stack.progress.message):
        code = args.handler(stack, args)
        return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    args.no_wait = getattr(args, "no_wait", False)
    try:
        with termination_as_interrupt():
            stack = _pick_profile(args)
            try:
                return _run(stack, args)
            finally:
                close_progress(stack.progress)
    except KeyboardInterrupt as interrupt:
        err.print(f"interrupted ({interrupt})" if str(interrupt) else "interrupted", markup=False)
        return exit_code(interrupt)
    except PawsStackError as exc:
        err.print(f"error: {exc}", markup=False)
        return 2
    except DockerException as exc:
        err.print(
            f"error: the container engine refused a request: {exc}\n"
            "  fix: check `docker info`; if the stack changed meanwhile, run the command again",
            markup=False,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
