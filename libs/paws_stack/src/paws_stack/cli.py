"""paws-stack: the console script. Each command is a small function over the Stack API.

Exit codes: 0 success (health: healthy), 1 health not healthy, 2 could not run (one clear
message on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import psycopg
from docker.errors import DockerException
from pydantic import BaseModel

from . import __version__, _logging, backupcli
from ._signals import exit_code, termination_as_interrupt
from .console import TerminalProgress, err, health_table, out, status_table
from .errors import ConfirmationRequired, PawsStackError, ProbeError
from .health import HealthReport
from .interrupted import RECOVER_COMMAND, Leftovers, find_leftovers
from .logquery import LogQuery, LogQueryError, parse_grep, parse_level, parse_since, parse_trace_id
from .logsource import LogRead, follow_merged, read_merged, service_names, targets
from .logview import unparsed_summary, write_records
from .observecli import cmd_inspect, cmd_metrics, cmd_top, scrape_interval
from .settings import load_settings
from .stack import Stack

Handler = Callable[[Stack, argparse.Namespace], int]
# Commands that change the project run under its lock (.paws/locks/<project>.lock).
LOCKED_COMMANDS = ("setup", "up", "down", "rebuild", "backup", "restore")


def _emit_json(data: Any) -> None:
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


def _plain_rows(rows: list[list[str]]) -> None:
    for row in rows:
        sys.stdout.write("\t".join(row) + "\n")


def _show_health(report: HealthReport, as_json: bool) -> None:
    if as_json:
        _emit_json(report)
    elif out.is_terminal:
        out.print(health_table(report))
    else:
        _plain_rows(
            [
                [
                    c.name,
                    c.kind,
                    c.role or "-",
                    "healthy" if c.healthy else "unhealthy",
                    f"{c.latency_ms or 0:.0f}ms",
                    c.detail,
                ]
                for c in report.components
            ]
        )
    for problem in report.problems:
        err.print(f"problem: {problem}", markup=False)
    if not as_json:
        err.print("healthy" if report.healthy else "NOT healthy", markup=False)


def cmd_setup(stack: Stack, args: argparse.Namespace) -> int:
    stack.setup(assume_yes=args.yes, interactive=sys.stdin.isatty())
    stack.progress.message("setup complete")
    return 0


def cmd_build(stack: Stack, args: argparse.Namespace) -> int:
    plan = stack.build(source=args.source)
    _emit_json(plan.compose_env()) if args.json else stack.progress.message("images ready")
    return 0


def _leftovers(stack: Stack) -> Leftovers:
    """An interrupted chaos experiment's journal, paused members, or a running experiment."""
    try:
        members = stack.inventory().members
    except (PawsStackError, DockerException):
        return Leftovers()  # no engine yet (setup installs it): nothing can be paused
    if not members:
        return Leftovers()  # faults die with their containers; `up` creates new ones
    return find_leftovers(stack.settings.state_path, stack.project, members)


def _refuse_leftovers(stack: Stack) -> None:
    # `compose up` cannot start a paused container, and would restart an experiment's victims.
    found = _leftovers(stack)
    if found.running_pid is not None:
        raise PawsStackError(
            f"not starting: {found.problems()[0]}; `up` now would restart its victims",
            f"wait for it to end, or interrupt it (Ctrl-C, or `kill -INT {found.running_pid}`)",
        )
    if found.found:
        raise PawsStackError(
            "not starting: " + "; ".join(found.problems()),
            f"run `{RECOVER_COMMAND}` (undoes them and waits for health), then `up` again",
        )


def cmd_up(stack: Stack, args: argparse.Namespace) -> int:
    _refuse_leftovers(stack)
    report = stack.up(timeout=args.timeout, assume_yes=args.yes, interactive=sys.stdin.isatty())
    _close(stack)
    _show_health(report, args.json)
    return 0


def confirm_deletion(stack: Stack, assume_yes: bool, interactive: bool) -> None:
    """`down --volumes` names what it deletes and asks; without a terminal it needs --yes.

    CI=true is not consent: act sets it too, and there the volumes may be the developer's own.
    """
    stack.require_own_project()
    doomed = stack.inventory().volumes
    if not doomed or assume_yes:
        return
    listing = ", ".join(doomed)
    if not interactive:
        raise ConfirmationRequired(
            f"`down --volumes` would delete {len(doomed)} volumes of project {stack.project} "
            f"({listing}) and nothing confirmed it (no terminal to ask on)",
            "add --yes to delete them: `paws-stack down --volumes --yes`; "
            "plain `paws-stack down` keeps the data",
        )
    err.print(f"`down --volumes` deletes all data of project {stack.project}:", markup=False)
    for name in doomed:
        err.print(f"  {name}", markup=False)
    answer = err.input(f"Delete these {len(doomed)} volumes? [y/N] ", markup=False)
    if answer.strip().lower() not in ("y", "yes"):
        raise ConfirmationRequired(
            "nothing deleted: the deletion was not confirmed",
            "run `paws-stack down` to stop the stack and keep its data",
        )


def cmd_down(stack: Stack, args: argparse.Namespace) -> int:
    if args.volumes:
        confirm_deletion(stack, args.yes, sys.stdin.isatty())
    removed = stack.down(volumes=args.volumes)
    if args.json:
        _emit_json({"project": stack.project, "volumes_removed": removed})
    else:
        stack.progress.message(
            f"{stack.project} is down"
            + (f"; removed {len(removed)} volumes" if args.volumes else "; volumes kept")
        )
    return 0


def cmd_health(stack: Stack, args: argparse.Namespace) -> int:
    report = stack.health()
    found = _leftovers(stack)
    if found.found:
        problems = [*report.problems, *found.problems()]
        report = report.model_copy(update={"healthy": False, "problems": problems})
    _show_health(report, args.json)
    if found.found:
        err.print(f"fix: {RECOVER_COMMAND}", markup=False)
    elif found.running_pid is not None:
        err.print(f"note: {found.problems()[0]}: its faults are expected", markup=False)
    return 0 if report.healthy else 1


def cmd_status(stack: Stack, args: argparse.Namespace) -> int:
    report = stack.health()
    inventory = stack.inventory()
    ports = stack.settings.published_ports()
    migrations = _migrations(stack)
    if args.json:
        _emit_json(
            {
                "project": stack.project,
                "profile": stack.profile,
                "healthy": report.healthy,
                "volumes": inventory.volumes,
                "ports": ports,
                "migrations": migrations,
                "members": [c.model_dump(mode="json") for c in report.components],
            }
        )
        return 0
    if migrations:
        sys.stdout.write(
            f"migrations\tversion {migrations['version']} ({migrations['description']})"
            f"\t{migrations['applied']} applied\n"
        )
    if out.is_terminal:
        out.print(status_table(report, inventory.volumes, ports, stack.settings.bind_address))
    else:
        _plain_rows(
            [
                [
                    c.name,
                    c.role or "-",
                    str(c.facts.get("timeline", "-")),
                    str(c.facts.get("lag", "-")),
                    c.container or "-",
                ]
                for c in report.components
            ]
        )
    return 0


def _migrations(stack: Stack) -> dict[str, Any] | None:
    """The applied schema version, or None when the leader cannot say (during a failover)."""
    try:
        return stack.migrations()
    except psycopg.Error:
        return None


def cmd_endpoints(stack: Stack, args: argparse.Namespace) -> int:
    endpoints = stack.endpoints(show_secrets=args.show_secrets)
    if args.json:
        _emit_json(endpoints.shown())
    else:
        for name, value in endpoints.shown().items():
            shown = ",".join(value) if isinstance(value, list) else value
            sys.stdout.write(f"{name}\t{shown}\n")
    return 0


def _log_query(args: argparse.Namespace) -> LogQuery:
    return LogQuery(
        trace_id=parse_trace_id(args.trace) if args.trace else None,
        services=tuple(args.services + (args.service or [])),
        min_level=parse_level(args.level) if args.level else None,
        since=parse_since(args.since) if args.since else None,
        grep=parse_grep(args.grep) if args.grep else None,
    )


def cmd_logs(stack: Stack, args: argparse.Namespace) -> int:
    """Every member's lines in one schema, from the engine's logs API, filtered and merged."""
    query = _log_query(args)
    members = stack.inventory().members
    if not members:
        raise ProbeError(
            f"the {stack.profile} stack (project {stack.project}) is not running",
            "start it with `paws-stack up`; `logs` reads the running containers' output",
        )
    known = service_names(members)
    unknown = [s for s in query.services if s not in known]
    if unknown:
        raise LogQueryError(
            f"unknown service {', '.join(unknown)} for `logs`", f"choose from: {', '.join(known)}"
        )
    read = LogRead(since=query.since, tail=args.tail, keep=query.keeps_text)
    chosen = targets(stack.client(), members, query.services)
    records = follow_merged(chosen, read) if args.follow else read_merged(chosen, read)
    shown = write_records((r for r in records if query.keeps(r)), args.json, out, sys.stdout)
    summary = unparsed_summary(read.unparsed)
    if summary:
        err.print(summary, markup=False)
    if not shown:
        err.print("no line matched", markup=False)
    return 0


def cmd_restart(stack: Stack, args: argparse.Namespace) -> int:
    stack.restart(args.service)
    stack.progress.message(f"restarted {args.service}")
    return 0


def cmd_rebuild(stack: Stack, args: argparse.Namespace) -> int:
    from .rebuild import rebuild_app

    seconds = rebuild_app(stack, args.service)
    stack.progress.message(f"rebuilt and recreated {args.service} in {seconds:.0f} s")
    return 0


def _reload_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def cmd_dev(stack: Stack, args: argparse.Namespace) -> int:
    from .devloop import run_dev

    polling = args.polling or stack.settings.dev_polling
    # `dev` ends only by a signal: a shell that started it in the background (which ignores
    # SIGINT for its children) must still be able to stop it the way a terminal's Ctrl-C does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run_dev(stack, stack.progress.message, polling=polling, reloaded=_reload_line)
    return 0


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
        "with either): the PostgreSQL and Redis exporters (PAWS_OBSERVABILITY=true)",
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
    logs = add("logs", cmd_logs, "every service's lines, merged in time order, in one schema")
    logs.add_argument("services", nargs="*", help="members or kinds, e.g. patroni-0 postgres")
    logs.add_argument("--service", action="append", help="as the positional names; repeatable")
    logs.add_argument("--trace", help="only lines of this trace id (X-Trace-Id header)")
    logs.add_argument("--level", help="this level and above: debug info warning error critical")
    logs.add_argument("--since", help="e.g. 10m, 2h, or 2026-12-01T23:00:00")
    logs.add_argument("--grep", help="only lines whose raw text matches this regex")
    logs.add_argument("--tail", type=int, help="the last N lines of each member")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
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


def _close(stack: Stack) -> None:
    if isinstance(stack.progress, TerminalProgress):
        stack.progress.close()


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
                _close(stack)
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
