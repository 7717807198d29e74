"""The experiment report: the fields the issue names, the checks behind `passed`, and a human
timeline. Pure data and rendering; the runner fills it in.
"""

from __future__ import annotations

import statistics
from typing import Any

from pydantic import BaseModel, Field

from .http_report import HttpResult, render_http


class Check(BaseModel):
    """One verdict line: what was checked, whether it held, and the evidence."""

    name: str
    ok: bool
    detail: str = ""


class Event(BaseModel):
    """A moment of the experiment, in seconds after the first fault (negative: before it)."""

    t: float
    what: str


class WorkloadResult(BaseModel):
    """One workload's own numbers (the top-level fields add them up)."""

    workload: str
    attempts: int
    acked: int
    lost: int
    unexpected: int
    client_errors: int
    write_unavailable_s: float
    lost_on: dict[str, list[str]] = Field(default_factory=dict)
    first_errors: list[str] = Field(default_factory=list)
    probe_row_on_leader: bool = False


class Report(BaseModel):
    """What happened, with numbers. `passed` is true only when every check held."""

    scenario: str
    passed: bool
    write_unavailable_s: float | None
    leader_change_s: float | None
    acked: int
    lost: int
    unexpected: int
    client_errors: int
    split_brain_events: int
    recovered_s: float | None
    timeline_before: int | None
    timeline_after: int | None
    # The application's view (issue 15): what the HTTP clients saw. None when no HTTP workload
    # was measured; `http.status` and `http.reason` then say why (no apps, --no-http).
    http_errors: int | None = None
    http_acked: int | None = None
    http_lost: int | None = None
    http_duplicates: int | None = None
    http_latency_p50_s: float | None = None
    http_latency_p99_s: float | None = None
    http_latency_samples: int = 0
    http: HttpResult | None = None
    # Beyond the fields: how the verdict was reached and what to do if it failed.
    old_node: str | None = None
    new_node: str | None = None
    rollback: str = "not needed"
    interrupted: bool = False
    # Set when the engine refused a fault: the experiment could not run (exit 2), not failed.
    not_injected: str | None = None
    still_broken: list[str] = Field(default_factory=list)
    remediation: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    workloads: list[WorkloadResult] = Field(default_factory=list)
    split_brain: list[str] = Field(default_factory=list)
    # The split-brain watcher's evidence: good polls and polls that gave none.
    watcher_samples: int = 0
    watcher_failed: int = 0
    settings: dict[str, Any] = Field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        if self.not_injected:
            return 2
        return 0 if self.passed else 1


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def render_text(report: Report) -> str:
    """A plain-text report: the timeline, the numbers, the checks and the verdict."""
    lines = [f"scenario {report.scenario}", "", "timeline (s after the fault):"]
    lines += [f"  {event.t:+7.1f}  {event.what}" for event in report.events]
    lines += [
        "",
        f"write unavailable   {_seconds(report.write_unavailable_s)}",
        f"new leader after    {_seconds(report.leader_change_s)}"
        + (f" ({report.old_node} -> {report.new_node})" if report.new_node else ""),
        f"recovered after     {_seconds(report.recovered_s)}",
        f"acked / lost        {report.acked} / {report.lost}"
        f"   unexpected {report.unexpected}   client errors {report.client_errors}",
        f"split brain         {report.split_brain_events}",
        f"timeline            {report.timeline_before} -> {report.timeline_after}",
        f"rollback            {report.rollback}",
        *render_http(report.http),
        "",
        "checks:",
    ]
    lines += [f"  [{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}" for c in report.checks]
    lines += [f"  split brain: {line}" for line in report.split_brain]
    if report.still_broken:
        lines += ["", "still broken:", *[f"  {line}" for line in report.still_broken]]
        lines += ["fix:", *[f"  {line}" for line in report.remediation]]
    lines += ["", f"verdict: {verdict(report)}"]
    return "\n".join(lines)


def verdict(report: Report) -> str:
    """One word for the outcome, matching the exit code (130, 2, 0 or 1)."""
    if report.interrupted:
        return "INTERRUPTED"
    if report.not_injected:
        return "COULD NOT RUN"
    return "PASS" if report.passed else "FAIL"


def summarize(reports: list[Report]) -> dict[str, Any]:
    """Median and maximum over repeated runs, as the benchmark and `--repeat` report them.

    >>> r = Report(scenario="x", passed=True, write_unavailable_s=2.0, leader_change_s=None,
    ...     acked=60, lost=0, unexpected=0, client_errors=1, split_brain_events=0,
    ...     recovered_s=5.0, timeline_before=1, timeline_after=1)
    >>> summarize([r, r.model_copy(update={"write_unavailable_s": 4.0})])["write_unavailable_s"]
    {'median': 3.0, 'max': 4.0}
    """

    def stats(values: list[float | None]) -> dict[str, float | None]:
        known = [v for v in values if v is not None]
        if not known:
            return {"median": None, "max": None}
        return {"median": round(statistics.median(known), 3), "max": round(max(known), 3)}

    return {
        "scenario": reports[0].scenario if reports else None,
        "runs": len(reports),
        "passed": all(r.passed for r in reports) and bool(reports),
        "write_unavailable_s": stats([r.write_unavailable_s for r in reports]),
        "leader_change_s": stats([r.leader_change_s for r in reports]),
        "recovered_s": stats([r.recovered_s for r in reports]),
        "lost": sum(r.lost for r in reports),
        "split_brain_events": sum(r.split_brain_events for r in reports),
        "http_errors": sum(r.http_errors or 0 for r in reports),
        "http_lost": sum(r.http_lost or 0 for r in reports),
        "http_latency_p99_s": stats([r.http_latency_p99_s for r in reports]),
    }
