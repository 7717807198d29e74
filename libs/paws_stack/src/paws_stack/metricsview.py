"""`paws-stack metrics` output: two rich tables on a TTY, tab-separated lines otherwise."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table

from .metrics import Headline, MetricsReport


def _value(headline: Headline) -> str:
    if headline.value is None:
        return "-"
    return f"{headline.value:,.0f}" if headline.value >= 100 else f"{headline.value:.2f}"


def endpoints_table(report: MetricsReport) -> Table:
    table = Table(title="metrics endpoints")
    for column in ("endpoint", "answers", "samples", "ms", "url", "detail"):
        table.add_column(column)
    for e in report.endpoints:
        ok = e.answers and e.has_key_series
        table.add_row(
            e.name,
            "[green]yes[/]" if ok else "[red]no[/]",
            str(e.samples),
            f"{e.latency_ms:.0f}" if e.latency_ms is not None else "-",
            e.url,
            e.detail,
        )
    return table


def headlines_table(report: MetricsReport) -> Table:
    table = Table(title="the numbers")
    for column in ("what", "value", "unit", "detail"):
        table.add_column(column)
    for h in report.headlines:
        table.add_row(h.name, _value(h), h.unit, h.detail)
    return table


def plain_lines(report: MetricsReport, stream: TextIO) -> None:
    for e in report.endpoints:
        answers = "answers" if e.answers and e.has_key_series else "FAILS"
        latency = f"{e.latency_ms:.0f}ms" if e.latency_ms is not None else "-"
        stream.write(f"{e.name}\t{answers}\t{e.samples}\t{latency}\t{e.url}\t{e.detail}\n")
    for h in report.headlines:
        stream.write(f"{h.name}\t{_value(h)}\t{h.unit}\t{h.detail}\n")


def write_metrics(report: MetricsReport, console: Console, stream: TextIO) -> None:
    if console.is_terminal:
        console.print(endpoints_table(report))
        console.print(headlines_table(report))
    else:
        plain_lines(report, stream)
