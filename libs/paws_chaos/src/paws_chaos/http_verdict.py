"""The HTTP workload's numbers (`http_result`) and the checks the scenario's `http` block asks
for (`http_checks`). Pure: no I/O, so the rules, zero samples included, are unit-tested.
"""

from __future__ import annotations

from .http_ledger import HttpLedger, describe, latency
from .http_phase import HttpPhase
from .http_report import HttpResult
from .report import Check, Report
from .scenarios import HttpExpect

SHOWN = 5


def http_result(
    phase: HttpPhase, start: float | None, end: float | None, zero: float | None = None
) -> HttpResult:
    """The report's view of one run's HTTP workload; latency over the requests in flight
    at some moment between the fault's injection (`start`) and its restore (`end`). Times in
    the text lines count from `zero` (the report timeline's zero, default `start`)."""
    if phase.workload is None:
        return HttpResult(status=phase.status, reason=phase.reason, calls=list(phase.expect.calls))
    ledger: HttpLedger = phase.workload.ledger
    counts = ledger.tally()
    during = ledger.overlapping(start, end) if start is not None and end is not None else []
    timing = latency(during)
    first = min((c.started for c in ledger.calls), default=0.0)
    zero = next((t for t in (zero, start) if t is not None), first)
    slowest = sorted(during, key=lambda c: c.seconds, reverse=True)[:SHOWN]
    notes = phase.notes
    return HttpResult(
        status="measured",
        calls=list(phase.expect.calls),
        requests=counts.requests,
        errors=counts.errors,
        non_2xx=counts.non_2xx,
        transport_errors=counts.transport_errors,
        acked=counts.acked,
        acked_by_route=ledger.acked_by_route(),
        lost=notes.lost if notes else None,
        duplicates=notes.duplicates if notes else None,
        stored_unacked=notes.stored_unacked if notes else None,
        lost_ids=notes.lost_ids[:20] if notes else [],
        verify_error=phase.verify_error,
        latency_p50_s=timing.p50_s,
        latency_p99_s=timing.p99_s,
        latency_samples=timing.samples,
        latency_max_s=round(max(c.seconds for c in during), 3) if during else None,
        first_errors=[describe(c, zero) + f" ({c.error})" for c in ledger.errors()[:SHOWN]],
        slowest=[describe(c, zero) for c in slowest],
    )


def http_checks(expect: HttpExpect | None, result: HttpResult | None) -> list[Check]:
    """The verdict lines of the HTTP workload. No evidence is never a pass: a required
    workload that was not measured, or saw no request during the fault, fails."""
    if expect is None:
        return []
    if result is None:
        if not expect.required:
            return []
        return [Check(name="HTTP workload", ok=False, detail="not measured: it never started")]
    if result.status == "skipped":
        return [Check(name="HTTP workload", ok=True, detail=f"skipped: {result.reason}")]
    if result.status == "not measured":
        if not expect.required:
            return []
        return [
            Check(
                name="HTTP workload",
                ok=False,
                detail=f"not measured: {result.reason}; start the apps, or pass --no-http "
                "to skip the HTTP checks",
            )
        ]
    checks = [_stored_once(expect, result)]
    if expect.max_errors is not None:
        checks.append(
            Check(
                name="HTTP: no errors",
                ok=result.errors <= expect.max_errors,
                detail=f"{result.errors} of {result.requests} request(s) failed "
                f"(non-2xx {result.non_2xx}, transport {result.transport_errors}; "
                f"max {expect.max_errors})",
            )
        )
    if expect.required or expect.max_p99_s is not None:
        checks.append(_during_fault(expect, result))
    return checks


def _stored_once(expect: HttpExpect, result: HttpResult) -> Check:
    name = "HTTP: every acknowledged note stored exactly once"
    if result.lost is None or result.duplicates is None:
        return Check(name=name, ok=False, detail=f"not checked: {result.verify_error or '?'}")
    if "notes" in expect.calls and result.acked == 0:
        return Check(name=name, ok=False, detail="not measured: no note was acknowledged")
    detail = f"{result.acked} acked, {result.lost} lost, {result.duplicates} duplicate(s)"
    if result.lost_ids:
        detail += f" lost: {result.lost_ids[:5]}"
    return Check(
        name=name, ok=result.lost <= expect.max_lost and result.duplicates == 0, detail=detail
    )


def _during_fault(expect: HttpExpect, result: HttpResult) -> Check:
    name = "HTTP: requests during the fault"
    if result.latency_samples == 0 or result.latency_p99_s is None:
        return Check(
            name=name, ok=False, detail="not measured: no request was in flight during the fault"
        )
    detail = (
        f"p50 {result.latency_p50_s:.2f} s, p99 {result.latency_p99_s:.2f} s over "
        f"{result.latency_samples} request(s)"
    )
    if expect.max_p99_s is None:
        return Check(name=name, ok=True, detail=detail)
    return Check(
        name=name,
        ok=result.latency_p99_s <= expect.max_p99_s,
        detail=f"{detail} (p99 max {expect.max_p99_s} s)",
    )


def apply_http(
    report: Report,
    phase: HttpPhase | None,
    start: float | None,
    end: float | None,
    zero: float | None = None,
) -> None:
    """Fill the report's http_* fields (left None when nothing was measured)."""
    if phase is None:
        return
    result = http_result(phase, start, end, zero)
    report.http = result
    if result.status != "measured":
        return
    report.http_errors = result.errors
    report.http_acked = result.acked
    report.http_lost = result.lost
    report.http_duplicates = result.duplicates
    report.http_latency_p50_s = result.latency_p50_s
    report.http_latency_p99_s = result.latency_p99_s
    report.http_latency_samples = result.latency_samples
