"""The observability commands of paws-stack: `metrics`, `inspect` and `top`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

import httpx

from .console import emit_json, out, plain_rows
from .errors import ProbeError

if TYPE_CHECKING:
    from .stack import Stack


def migrations(stack: Stack) -> dict[str, Any] | None:
    """The applied schema version, or None when the leader cannot say (during a failover)."""
    import psycopg

    try:
        return stack.migrations()
    except psycopg.Error:
        return None


def cmd_metrics(stack: Stack, args: argparse.Namespace) -> int:
    """Every /metrics endpoint: does it answer, and the few numbers a developer looks at."""
    from .metricendpoints import stack_endpoints
    from .metrics import collect
    from .metricsview import write_metrics

    members = stack.inventory().members
    if not members:
        raise ProbeError(
            f"the {stack.profile} stack (project {stack.project}) is not running",
            "start it with `paws-stack up` (`--profile observability` adds the exporters and "
            "Prometheus)",
        )
    # TLS mode: etcd and Patroni answer https only, on container addresses no certificate
    # names, so the chain is verified and not the name (clienttls.py).
    tls = stack.client_tls
    endpoints = stack_endpoints(
        stack.settings, members, stack.apps, stack.client(), stack.project, tls.scheme
    )
    report = collect(endpoints, args.interval, tls.http_verify(check_hostname=False), stack.reach)
    if args.json:
        emit_json(report)
    else:
        write_metrics(report, out, sys.stdout)
    return 0 if report.all_answer else 1


def cmd_inspect(stack: Stack, args: argparse.Namespace) -> int:
    """What one component believes about itself, from its own interfaces."""
    from .inspection import READERS, Access
    from .inspectview import write_document

    members = stack.inventory().members
    if not members:
        raise ProbeError(
            f"the {stack.profile} stack (project {stack.project}) is not running",
            "start it with `paws-stack up`; `inspect` asks the running members",
        )
    apps = stack.apps.apps if stack.apps else ()
    addresses = {m.service: m.address for m in members if m.kind == "app" and m.address}
    access = Access(
        members=members,
        host=stack.settings.bind_address,
        pg_port=stack.settings.pg_port,
        stats_port=stack.settings.stats_port,
        superuser_password=stack.secrets.read("pg_superuser_password"),
        redis_password=stack.secrets.read("redis_password"),
        etcd_password=stack.secrets.read("etcd_patroni_password"),
        tls=stack.client_tls,
        reach=stack.reach,
        app_metrics={
            a.name: f"http://{addresses[a.name]}:{a.metrics.port}{a.metrics.path}"
            for a in apps
            if a.metrics and a.name in addresses
        },
    )
    import psycopg
    from redis import RedisError

    try:
        document = READERS[args.component](access)
    except (ConnectionError, httpx.HTTPError, psycopg.Error, RedisError) as exc:
        raise ProbeError(
            f"inspect {args.component}: {exc}",
            "check `paws-stack health`; during a failover, ask again in a few seconds",
        ) from None
    if args.component == "apps":
        document["migrations"] = migrations(stack)
    if args.json:
        emit_json(document)
    else:
        write_document(document, out, sys.stdout)
    return 0


def scrape_interval(text: str) -> float:
    """--interval: seconds between the two scrapes, more than 0 and at most 60."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 60:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds in (0, 60]; fix: e.g. --interval 2"
        )
    return seconds


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def cmd_top(stack: Stack, args: argparse.Namespace) -> int:
    """Each service's CPU and memory against its limits, one sample (about 2 s)."""
    from rich.table import Table

    from .resources import top

    report = top(stack.client(), stack.project)
    if not report.services:
        raise ProbeError(
            f"the {stack.profile} stack (project {stack.project}) is not running",
            "start it with `paws-stack up`; `top` reads the running containers",
        )
    if args.json:
        emit_json(report)
        return 0
    rows = [
        [
            u.service,
            f"{u.cpu_percent:.1f}",
            "-" if u.cpu_limit is None else f"{u.cpu_limit:g}",
            _share(u.cpu_of_limit),
            f"{u.memory_mib:.0f}",
            "-" if u.memory_limit_mib is None else f"{u.memory_limit_mib:.0f}",
            _share(u.memory_of_limit),
        ]
        for u in report.services
    ]
    total = ["total", f"{report.cpu_percent:.1f}", "", "", f"{report.memory_mib:.0f}", "", ""]
    columns = ("service", "cpu %", "cpu limit", "of limit", "MiB", "MiB limit", "of limit")
    if out.is_terminal:
        table = Table(*columns, title=f"{stack.project}: CPU (% of one core) and memory")
        for row in [*rows, total]:
            table.add_row(*row)
        out.print(table)
    else:
        plain_rows([*rows, total])
    return 0
