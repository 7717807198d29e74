"""The read-only commands of paws-stack: `health`, `status` and `endpoints`.

Exit codes of `health`: 0 healthy, 1 not healthy (a leftover fault counts), 2 cannot check.
"""

from __future__ import annotations

import argparse
import sys

from docker.errors import DockerException

from .console import emit_json, err, health_table, out, plain_rows, status_table
from .errors import PawsStackError
from .health import HealthReport
from .interrupted import RECOVER_COMMAND, Leftovers, find_leftovers
from .observecli import migrations
from .stack import Stack


def show_health(report: HealthReport, as_json: bool) -> None:
    """The report as JSON, a table on a terminal or plain lines; problems go to stderr."""
    if as_json:
        emit_json(report)
    elif out.is_terminal:
        out.print(health_table(report))
    else:
        plain_rows(
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


def leftovers(stack: Stack) -> Leftovers:
    """An interrupted chaos experiment's journal, paused members, or a running experiment."""
    try:
        members = stack.inventory().members
    except (PawsStackError, DockerException):
        return Leftovers()  # no engine yet (setup installs it): nothing can be paused
    if not members:
        return Leftovers()  # faults die with their containers; `up` creates new ones
    return find_leftovers(stack.settings.state_path, stack.project, members)


def cmd_health(stack: Stack, args: argparse.Namespace) -> int:
    report = stack.health()
    found = leftovers(stack)
    if found.found:
        problems = [*report.problems, *found.problems()]
        report = report.model_copy(update={"healthy": False, "problems": problems})
    show_health(report, args.json)
    if found.found:
        err.print(f"fix: {RECOVER_COMMAND}", markup=False)
    elif found.running_pid is not None:
        err.print(f"note: {found.problems()[0]}: its faults are expected", markup=False)
    return 0 if report.healthy else 1


def cmd_status(stack: Stack, args: argparse.Namespace) -> int:
    report = stack.health()
    inventory = stack.inventory()
    ports = stack.settings.published_ports()
    applied = migrations(stack)
    if args.json:
        emit_json(
            {
                "project": stack.project,
                "profile": stack.profile,
                "healthy": report.healthy,
                "volumes": inventory.volumes,
                "ports": ports,
                "migrations": applied,
                "members": [c.model_dump(mode="json") for c in report.components],
            }
        )
        return 0
    if applied:
        sys.stdout.write(
            f"migrations\tversion {applied['version']} ({applied['description']})"
            f"\t{applied['applied']} applied\n"
        )
    if out.is_terminal:
        out.print(status_table(report, inventory.volumes, ports, stack.settings.bind_address))
    else:
        plain_rows(
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


def cmd_endpoints(stack: Stack, args: argparse.Namespace) -> int:
    endpoints = stack.endpoints(show_secrets=args.show_secrets)
    if args.json:
        emit_json(endpoints.shown())
    else:
        for name, value in endpoints.shown().items():
            shown = ",".join(value) if isinstance(value, list) else value
            sys.stdout.write(f"{name}\t{shown}\n")
    return 0
