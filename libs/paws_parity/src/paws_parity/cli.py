"""The `paws-parity` console script: check, diff, snapshot, import, example-waivers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path

from rich.console import Console

from . import __version__
from ._logging import configure_logging
from .errors import InputError, ParityError
from .formats import render_github, render_markdown, render_plain
from .imports import import_files
from .model import Severity, Snapshot
from .render import print_report
from .report import Report, build_report
from .rules import load_rules
from .score import Thresholds
from .settings import ParitySettings, load_settings
from .snapshots import read_snapshot, snapshot_to_text, write_snapshot
from .targets import collect_from, resolve_target
from .waivers import Waivers, load_waivers

EXIT_PASSED, EXIT_BELOW_BAR, EXIT_COULD_NOT_RUN = 0, 1, 2
FORMATS = ("table", "plain", "json", "markdown", "github")


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument("--waivers", type=Path, help="waivers file (default parity-waivers.yaml)")
    parser.add_argument("--no-waivers", action="store_true", help="apply no waivers at all")
    parser.add_argument("--rules", type=Path, help="rules file (default: the bundled rules)")
    parser.add_argument("--min-score", type=float, help="lowest passing score (default 85)")
    parser.add_argument("--max-critical", type=int, help="most Critical findings allowed (0)")
    parser.add_argument("--warning-limit", type=int, help="Warnings must stay below this (3)")
    parser.add_argument("--default-severity", choices=[s.value for s in Severity])
    parser.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `paws-parity`."""
    parser = argparse.ArgumentParser(
        prog="paws-parity", description="Score how far an environment drifts from staging."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="compare the local stack with a target")
    check.add_argument("--target", default="staging", help="staging | FILE | live:ENDPOINTS")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--endpoints", type=Path, help="endpoints of the local stack")
    source.add_argument("--local", type=Path, help="a snapshot file instead of the live stack")
    _report_options(check)

    diff = commands.add_parser("diff", help="compare two snapshot files (A local, B target)")
    diff.add_argument("a", help="the local side: a snapshot file, staging or live:ENDPOINTS")
    diff.add_argument("b", help="the target side: a snapshot file, staging or live:ENDPOINTS")
    _report_options(diff)

    snapshot = commands.add_parser("snapshot", help="collect a live environment into a file")
    snapshot.add_argument("--out", type=Path, required=True, help="FILE.yaml or FILE.json")
    snapshot.add_argument("--endpoints", type=Path, help="endpoints of the environment")
    snapshot.add_argument("--name", help="name recorded in the snapshot")

    imported = commands.add_parser("import", help="a partial snapshot from configuration files")
    kinds = "FILE or KIND=FILE (postgresql, patroni, redis, sentinel, haproxy)"
    imported.add_argument("files", nargs="+", help=kinds)
    imported.add_argument("--out", type=Path, help="FILE.yaml or FILE.json (default: stdout)")
    imported.add_argument("--name", default="imported", help="name recorded in the snapshot")
    imported.add_argument(
        "--release", action="append", default=[], metavar="COMPONENT=VERSION",
        help="the version the files were written for (postgresql=9.6)",
    )  # fmt: skip
    imported.add_argument("--json", action="store_true", help="JSON on stdout instead of YAML")

    commands.add_parser("example-waivers", help="print the bundled waivers example")
    return parser


def _thresholds(args: argparse.Namespace, settings: ParitySettings) -> Thresholds:
    def pick(value: float | int | None, default: float | int) -> float | int:
        return default if value is None else value

    return Thresholds(
        min_score=float(pick(args.min_score, settings.min_score)),
        max_critical=int(pick(args.max_critical, settings.max_critical)),
        warning_limit=int(pick(args.warning_limit, settings.warning_limit)),
    )


def _waivers(args: argparse.Namespace, settings: ParitySettings) -> tuple[Waivers, str]:
    """Waivers are decisions: only a file the user keeps (and reviews) can make them."""
    if args.no_waivers:
        return Waivers(), "no waivers applied (--no-waivers)"
    if args.waivers is not None:
        return load_waivers(args.waivers, required=True), f"waivers from {args.waivers}"
    if settings.waivers_file.exists():
        return load_waivers(settings.waivers_file), f"waivers from {settings.waivers_file}"
    return Waivers(), (
        f"no {settings.waivers_file} found: no waivers applied "
        "(`paws-parity example-waivers > parity-waivers.yaml` starts one)"
    )


def _emit(report: Report, args: argparse.Namespace) -> int:
    fmt = "json" if args.json else args.format
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2, default=str) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(render_markdown(report))
    elif fmt == "github":
        sys.stdout.write(render_github(report))
    elif fmt == "plain":
        sys.stdout.write(render_plain(report))
    else:
        print_report(report, Console())
    return EXIT_PASSED if report.passed else EXIT_BELOW_BAR


def _compare(local: Snapshot, target: Snapshot, args: argparse.Namespace) -> int:
    settings = load_settings()
    rules = load_rules(args.rules or settings.rules_file)
    waivers, waiver_note = _waivers(args, settings)
    severity = args.default_severity or settings.default_severity
    report = build_report(
        local, target, rules=rules, waivers=waivers, thresholds=_thresholds(args, settings),
        default_severity=Severity(severity), today=args.today,
    )  # fmt: skip
    report.notes.append(waiver_note)
    return _emit(report, args)


def run_check(args: argparse.Namespace) -> int:
    """Compare the local stack (live, or --local FILE) with --target."""
    settings = load_settings()
    target = resolve_target(args.target)
    if args.local is not None:
        local = read_snapshot(args.local)
    else:
        local = collect_from(args.endpoints or settings.endpoints_file)
    return _compare(local, target, args)


def run_diff(args: argparse.Namespace) -> int:
    """Compare any two snapshots: A is the local side, B the target."""
    return _compare(resolve_target(args.a), resolve_target(args.b), args)


def run_snapshot(args: argparse.Namespace) -> int:
    """Collect a live environment and write it as a snapshot file."""
    settings = load_settings()
    snapshot = collect_from(args.endpoints or settings.endpoints_file)
    if args.name:
        snapshot = snapshot.model_copy(update={"name": args.name})
    path = write_snapshot(snapshot, args.out)
    sys.stderr.write(f"wrote {path}\n")
    return EXIT_PASSED


def _releases(pairs: list[str]) -> dict[str, str]:
    versions = {}
    for pair in pairs:
        component, sep, version = pair.partition("=")
        if not sep or not component or not version:
            raise InputError(f"--release {pair!r} is not COMPONENT=VERSION",
                             "write it as --release postgresql=9.6")  # fmt: skip
        versions[component] = version
    return versions


def run_import(args: argparse.Namespace) -> int:
    """Build a partial snapshot from a team's configuration files."""
    snapshot = import_files(args.files, name=args.name, versions=_releases(args.release))
    if args.out is not None:
        sys.stderr.write(f"wrote {write_snapshot(snapshot, args.out)}\n")
    else:
        sys.stdout.write(snapshot_to_text(snapshot, json_format=args.json))
    return EXIT_PASSED


def run_example_waivers(_: argparse.Namespace) -> int:
    """Print the bundled waivers example, to start a parity-waivers.yaml from."""
    text = (resources.files("paws_parity") / "data" / "parity-waivers.example.yaml").read_text()
    sys.stdout.write(text)
    return EXIT_PASSED


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": run_check,
    "diff": run_diff,
    "snapshot": run_snapshot,
    "import": run_import,
    "example-waivers": run_example_waivers,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 passed, 1 below the bar, 2 could not run."""
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        return COMMANDS[args.command](args)
    except ParityError as exc:
        sys.stderr.write(f"paws-parity: {exc}\n")
        return EXIT_COULD_NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
