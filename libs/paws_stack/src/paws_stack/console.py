"""Human output: rich tables and a live service view on a TTY, plain lines otherwise.

Data goes to stdout, messages and progress to stderr. rich honours NO_COLOR by itself.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Literal

from pydantic import BaseModel
from rich.console import Console
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as Bar
from rich.table import Table

from .health import HealthReport

STATE_STYLE = {
    "healthy": "green",
    "starting": "yellow",
    "running": "yellow",
    "unhealthy": "red",
    "exited": "red",
    "created": "dim",
}

# rich's own NO_COLOR support drops colours but keeps bold and italic, which are ANSI codes
# too; with NO_COLOR set (any value, no-color.org) no style is written at all.
_COLOR_SYSTEM: Literal["auto"] | None = None if os.environ.get("NO_COLOR") else "auto"
out = Console(file=sys.stdout, highlight=False, soft_wrap=True, color_system=_COLOR_SYSTEM)
err = Console(file=sys.stderr, highlight=False, soft_wrap=True, color_system=_COLOR_SYSTEM)


def emit_json(data: Any) -> None:
    """`--json`: one document on stdout (a pydantic model in its JSON form)."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


def plain_rows(rows: list[list[str]]) -> None:
    """A table when stdout is not a terminal: one tab-separated line per row."""
    for row in rows:
        sys.stdout.write("\t".join(row) + "\n")


class TerminalProgress:
    """Progress for people: a live table of services on a TTY, changed states as lines else."""

    def __init__(self) -> None:
        self._live: Live | None = None
        self._bar: Bar | None = None
        self._task: TaskID | None = None
        self._last: dict[str, str] = {}
        self._started = time.monotonic()

    def message(self, text: str) -> None:
        elapsed = time.monotonic() - self._started
        err.print(f"[{elapsed:5.1f}s] {text}", markup=False)

    def count(self, what: str, done: int, total: int | None) -> None:
        """On a TTY one bar for the current step (count, elapsed); plain output shows none."""
        if not err.is_terminal:
            return
        if self._bar is None:
            self._bar = Bar(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(what, total=total)
        assert self._task is not None  # noqa: S101 (set together with the bar)
        self._bar.update(self._task, description=what, completed=done, total=total)

    def _stop_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None

    def services(self, states: dict[str, str]) -> None:
        self._stop_bar()
        if not err.is_terminal:
            for service, state in sorted(states.items()):
                if self._last.get(service) != state:
                    self.message(f"{service}: {state}")
            self._last = dict(states)
            return
        table = _states_table(states, time.monotonic() - self._started)
        if self._live is None:
            self._live = Live(table, console=err, refresh_per_second=4, transient=True)
            self._live.start()
        self._live.update(table)

    def close(self) -> None:
        self._stop_bar()
        if self._live is not None:
            self._live.stop()
            self._live = None


def close_progress(progress: object) -> None:
    """End a terminal's live view (bar, service table) before anything else is printed."""
    if isinstance(progress, TerminalProgress):
        progress.close()


def _states_table(states: dict[str, str], elapsed: float) -> Table:
    table = Table(title=f"starting the stack ({elapsed:.0f} s)", title_justify="left")
    table.add_column("service")
    table.add_column("state")
    for service, state in sorted(states.items()):
        table.add_row(service, f"[{STATE_STYLE.get(state, 'white')}]{state}[/]")
    return table


def health_table(report: HealthReport) -> Table:
    verdict = "[green]healthy[/]" if report.healthy else "[red]NOT healthy[/]"
    table = Table(title=f"{report.project} ({report.profile}): {verdict}", title_justify="left")
    for column in ("member", "kind", "role", "ok", "latency", "detail"):
        table.add_column(column)
    for c in report.components:
        latency = f"{c.latency_ms:.0f} ms" if c.latency_ms is not None else "-"
        ok = "[green]yes[/]" if c.healthy else "[red]no[/]"
        table.add_row(c.name, c.kind, c.role or "-", ok, latency, c.detail)
    return table


def status_table(
    report: HealthReport, volumes: list[str], ports: dict[str, int], host: str
) -> Table:
    table = Table(title=f"{report.project} ({report.profile})", title_justify="left")
    for column in ("member", "role", "timeline", "lag", "container", "volume"):
        table.add_column(column)
    for c in report.components:
        volume = next((v for v in volumes if v.endswith(f"_{c.name}")), "-")
        timeline = c.facts.get("timeline")
        lag = c.facts.get("lag")
        table.add_row(
            c.name,
            c.role or "-",
            "-" if timeline is None else str(timeline),
            "-" if lag is None else f"{lag} B",
            c.container or "-",
            volume,
        )
    table.caption = "ports: " + ", ".join(f"{name}={host}:{port}" for name, port in ports.items())
    return table
