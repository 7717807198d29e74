"""`paws-stack logs`: every member's lines in one schema, filtered and merged in time order."""

from __future__ import annotations

import argparse
import sys

from .console import err, out
from .errors import ProbeError
from .logquery import LogQuery, LogQueryError, parse_grep, parse_level, parse_since, parse_trace_id
from .logsource import LogRead, follow_merged, read_merged, service_names, targets
from .logview import unparsed_summary, write_records
from .stack import Stack


def log_query(args: argparse.Namespace) -> LogQuery:
    """The command line's filters, each parsed (a bad one is one line and exit 2)."""
    return LogQuery(
        trace_id=parse_trace_id(args.trace) if args.trace else None,
        services=tuple(args.services + (args.service or [])),
        min_level=parse_level(args.level) if args.level else None,
        since=parse_since(args.since) if args.since else None,
        grep=parse_grep(args.grep) if args.grep else None,
    )


def cmd_logs(stack: Stack, args: argparse.Namespace) -> int:
    """Every member's lines in one schema, from the engine's logs API, filtered and merged."""
    query = log_query(args)
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
    read = LogRead(
        since=query.since, tail=args.tail, keep=query.keeps_text, contains=query.trace_id
    )
    chosen = targets(stack.client(), members, query.services)
    records = follow_merged(chosen, read) if args.follow else read_merged(chosen, read)
    shown = write_records((r for r in records if query.keeps(r)), args.json, out, sys.stdout)
    summary = unparsed_summary(read.unparsed)
    if summary:
        err.print(summary, markup=False)
    if not shown:
        err.print("no line matched", markup=False)
    return 0


def add_arguments(logs: argparse.ArgumentParser) -> None:
    """The filters of `logs`: names, trace id, level, time, regex, tail and follow."""
    logs.add_argument("services", nargs="*", help="members or kinds, e.g. patroni-0 postgres")
    logs.add_argument("--service", action="append", help="as the positional names; repeatable")
    logs.add_argument("--trace", help="only lines of this trace id (X-Trace-Id header)")
    logs.add_argument("--level", help="this level and above: debug info warning error critical")
    logs.add_argument("--since", help="e.g. 10m, 2h, or 2026-12-01T23:00:00")
    logs.add_argument("--grep", help="only lines whose raw text matches this regex")
    logs.add_argument("--tail", type=int, help="the last N lines of each member")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
