"""The `paws-chaos` console script: `run <scenario> [--json] [--repeat N]`, `list`, `recover`.

Exit codes of `run`: 0 passed, 1 failed (lost write, failed steady state or rollback, a bound
missed), 2 could not run (nothing injected), 130 interrupted (after the rollback; SIGINT,
SIGTERM and SIGHUP alike). Of `recover`: 0 healthy afterwards, 1 not, 2 could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from paws_stack import PawsStackError, Stack

from . import _logging, _signals
from .errors import PawsChaosError
from .recover import recover, render_recovery
from .report import Report, render_text, summarize
from .runner import run_scenario
from .scenarios import Scenario, list_scenarios, load_scenario
from .settings import ChaosSettings, load_chaos_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paws-chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=None, help="repository root")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one scenario against the running full stack")
    run.add_argument("scenario")
    run.add_argument("--json", action="store_true", help="one JSON document on stdout")
    run.add_argument("--repeat", type=int, default=1, metavar="N")
    run.add_argument(
        "--no-wait",
        action="store_true",
        help="when another paws command is using the project, fail at once (exit 2)",
    )
    run.add_argument(
        "--no-http",
        dest="http",
        action="store_false",
        default=None,
        help="leave out the HTTP workload through the apps and its checks (PAWS_CHAOS_HTTP=false)",
    )
    listing = commands.add_parser("list", help="the scenarios and what each proves")
    listing.add_argument("--json", action="store_true")
    recovery = commands.add_parser(
        "recover", help="undo what an interrupted experiment left behind, then wait for health"
    )
    recovery.add_argument("--json", action="store_true", help="one JSON document on stdout")
    recovery.add_argument(
        "--no-wait",
        action="store_true",
        help="when another paws command is using the project, fail at once (exit 2)",
    )
    recovery.add_argument(
        "--timeout", type=float, default=120.0, metavar="S", help="seconds to wait for health"
    )
    recovery.add_argument(
        "--profile",
        choices=["full", "lite"],
        default=None,
        help="the stack to recover (default: the one that has containers, full first)",
    )
    return parser


def _say(line: str) -> None:
    # The terminal may be gone (hangup): a progress line is not worth an aborted undo.
    with contextlib.suppress(OSError):
        print(f"[paws-chaos] {line}", file=sys.stderr, flush=True)


def _list(as_json: bool) -> int:
    scenarios = list_scenarios(load_chaos_settings().scenario_dir)
    if as_json:
        print(json.dumps([s.model_dump() for s in scenarios], indent=2))
        return 0
    for scenario in scenarios:
        print(f"{scenario.name:26} {scenario.description}")
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = load_chaos_settings(**({} if args.http is None else {"http": args.http}))
    scenario = load_scenario(args.scenario, settings.scenario_dir)
    overrides = {"project_dir": args.project_dir} if args.project_dir else {}
    stack = Stack.from_settings(**overrides)
    _logging.configure(stack.settings.log_level)
    # The project's lock (paws_stack's file contract): `up` or `down` cannot restart or remove
    # the victims of a running experiment, nor can two experiments overlap.
    with stack.lock.hold("simulate", wait=not args.no_wait, report=_say):
        reports = _experiments(stack, scenario, settings, args)
    return _after_experiments(reports, args)


def _experiments(
    stack: Stack, scenario: Scenario, settings: ChaosSettings, args: argparse.Namespace
) -> list[Report]:
    reports: list[Report] = []
    for index in range(max(1, args.repeat)):
        if args.repeat > 1:
            _say(f"run {index + 1} of {args.repeat}")
        report = run_scenario(stack, scenario, settings, _say)
        reports.append(report)
        if not args.json:
            print(render_text(report), flush=True)
        if report.interrupted or not report.passed:
            break
    return reports


def _after_experiments(reports: list[Report], args: argparse.Namespace) -> int:
    if args.json:
        document = (
            reports[0].model_dump()
            if len(reports) == 1 and args.repeat == 1
            else {"summary": summarize(reports), "runs": [r.model_dump() for r in reports]}
        )
        print(json.dumps(document, indent=2))
    elif len(reports) > 1:
        print(json.dumps(summarize(reports), indent=2))
    return max(r.exit_code for r in reports)


def _stack(args: argparse.Namespace) -> Stack:
    overrides = {"project_dir": args.project_dir} if args.project_dir else {}
    stack = Stack.from_settings(**overrides)
    _logging.configure(stack.settings.log_level)
    return stack


def _recovery_stack(args: argparse.Namespace) -> Stack:
    """The profile asked for, else the one whose project has containers (full first)."""
    stack = _stack(args)
    if args.profile and args.profile != stack.profile:
        return Stack(stack.settings.model_copy(update={"profile": args.profile}))
    if args.profile or stack.inventory().members:
        return stack
    lite = Stack(stack.settings.model_copy(update={"profile": "lite"}))
    return lite if lite.inventory().members else stack


def _recover(args: argparse.Namespace) -> int:
    stack = _recovery_stack(args)
    # The same lock as `run`: a live experiment (or an `up`) is never "recovered" under it.
    with stack.lock.hold("recover", wait=not args.no_wait, report=_say):
        _say(f"recovering project {stack.project}")
        report = recover(stack, args.timeout, _say)
    if args.json:
        print(json.dumps(report.model_dump(), indent=2))
    else:
        print(render_recovery(report), flush=True)
    return report.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _signals.stop_signals_interrupt()
    try:
        if args.command == "list":
            return _list(args.json)
        if args.command == "recover":
            return _recover(args)
        return _run(args)
    except PawsChaosError as error:
        print(f"error: {error.message}\nfix: {error.remediation}", file=sys.stderr)
        return error.exit_code
    except PawsStackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
