"""The rich report for a terminal: a table per component, grouped by severity."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .formats import render_plain, show, verdict
from .report import Report

STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def _component_table(report: Report, component: str) -> Table:
    score = next(c for c in report.score.components if c.component == component)
    table = Table(title=f"{component}  {score.score:g}/100", title_justify="left", expand=True)
    for column, ratio in (("severity", 1), ("key", 3), ("local", 2), ("target", 2), ("fix", 5)):
        table.add_column(column, ratio=ratio, overflow="fold")
    for f in (f for f in report.findings if f.component == component):
        severity = Text(
            f.severity.value, style="dim strike" if f.waived else STYLE[f.severity.value]
        )
        fix = f.remediation + (" [restart]" if f.restart_required else "")
        if f.waived:
            fix += f"\nwaived: {f.waiver_reason}"
        if f.note:
            fix += f"\n{f.note}"
        if f.origin:
            fix += f"\nfrom {f.origin}"
        table.add_row(
            severity, f"{f.key}\n({f.kind.value}: {f.reason})", show(f.local), show(f.target), fix
        )
    return table


def rich_report(report: Report) -> Group:
    """The report as rich renderables."""
    parts: list[Table | Text] = [Text(f"comparing {report.local} with {report.target}")]
    components = sorted({f.component for f in report.findings})
    parts += [_component_table(report, component) for component in components]
    for note in report.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    for w in report.expired_waivers:
        parts.append(
            Text(f"expired waiver {w.pattern} ({w.expires}): no longer applies", style="yellow")
        )
    breakdown = Table(title="score by component", title_justify="left")
    for column in ("component", "score", "critical", "warning", "info"):
        breakdown.add_column(column, justify="left" if column == "component" else "right")
    for c in report.score.components:
        breakdown.add_row(
            c.component,
            f"{c.score:g}",
            *(str(c.counts[s]) for s in ("critical", "warning", "info")),
        )
    parts.append(breakdown)
    parts.append(Text(verdict(report), style="bold green" if report.passed else "bold red"))
    return Group(*parts)


def print_report(report: Report, console: Console | None = None) -> None:
    """Rich tables on a terminal; plain lines when stdout is not one (NO_COLOR is honoured)."""
    console = console or Console()
    if console.is_terminal:
        console.print(rich_report(report))
    else:
        console.file.write(render_plain(report))
