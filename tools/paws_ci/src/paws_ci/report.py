"""The end of a run: the job summary table and the CI parity report, as text or JSON."""

from __future__ import annotations

from typing import Any

from .act import ActRun
from .parity import ParityReport


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def summary_lines(run: ActRun) -> list[str]:
    """The job, result, duration table (and the failed step, when one failed)."""
    rows = [["job", "result", "duration", "failed step"]]
    for job in run.jobs:
        rows.append(
            [job.name, job.result, f"{job.duration:.1f}s", ", ".join(job.failed_steps) or "-"]
        )
    if len(rows) == 1:
        return ["no job ran"]
    return _table(rows)


def parity_lines(parity: ParityReport) -> list[str]:
    """Per job and step: ran as on GitHub (ok) or not (differs, with why)."""
    lines = ["CI parity (act vs GitHub):"]
    for job in parity.jobs:
        if not job.ran:
            lines.append(f"  {job.job}: not run in this selection")
            continue
        lines.append(f"  {job.job}:" + (f"  [{'; '.join(job.notes)}]" if job.notes else ""))
        for step in job.steps:
            mark = "ok     " if step.as_on_github else "differs"
            why = f"  ({'; '.join(step.notes)})" if step.notes else ""
            lines.append(f"    {mark} {step.step} (line {step.line}){why}")
    lines.append(parity.summary_line())
    return lines


def as_json(run: ActRun, parity: ParityReport, exit_code: int) -> dict[str, Any]:
    return {
        "exit_code": exit_code,
        "seconds": round(run.seconds, 1),
        "jobs": [j.to_dict() for j in run.jobs],
        "parity": parity.to_dict(),
    }
