"""What one run collected (`Run`), and the verdict on it (`judge`): checks, events, report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paws_stack import HealthReport

from .faults import Fault
from .http_phase import HttpPhase
from .http_verdict import apply_http, http_checks
from .report import Check, Event, Report, WorkloadResult
from .scenarios import Scenario
from .settings import ChaosSettings
from .verify import bound
from .watcher import Watcher, first_new_leader, split_brain_episodes, stale_writes
from .workloads import PostgresWriter, RedisWriter

# Demoting is not instant: PostgreSQL must stop and restart read-only, which took up to ~6 s
# on a loaded 2-core CI machine. Acks inside this slack are not unsafe (no other node can be
# elected without quorum or before the ttl), so the check allows it.
DEMOTE_SLACK_S = 8.0


@dataclass
class Run:
    """Everything an experiment observed; times are time.monotonic()."""

    scenario: Scenario
    settings: ChaosSettings
    before: HealthReport | None = None
    after: HealthReport | None = None
    config: dict[str, Any] = field(default_factory=dict)
    old_leader: str = ""
    old_master: str = ""
    writers: list[PostgresWriter | RedisWriter] = field(default_factory=list)
    watcher: Watcher | None = None
    faults: list[Fault] = field(default_factory=list)
    victims: list[str] = field(default_factory=list)
    injected: float | None = None
    trigger: float | None = None
    restore_started: float | None = None
    restored: float | None = None
    healthy_at: float | None = None
    stopped: float = 0.0
    interrupted: bool = False
    not_injected: str = ""
    rollback: str = "not needed"
    remediation: list[str] = field(default_factory=list)
    still_broken: list[str] = field(default_factory=list)
    results: list[WorkloadResult] = field(default_factory=list)
    probe: str = ""
    marks: list[tuple[str, float]] = field(default_factory=list)
    http: HttpPhase | None = None
    # When the first injection began: a switchover's inject call returns only once it is done,
    # so requests that waited through it started before `injected`.
    inject_started: float | None = None

    def mark(self, what: str, at: float) -> None:
        self.marks.append((what, at))

    @property
    def table(self) -> str:
        return next((w.table for w in self.writers if isinstance(w, PostgresWriter)), "")

    @property
    def demote_deadline(self) -> float:
        """ttl + loop_wait + slack after the fault: a cut-off leader must have stepped down."""
        ttl, loop = float(self.config.get("ttl", 30)), float(self.config.get("loop_wait", 10))
        return (self.trigger or 0.0) + ttl + loop + DEMOTE_SLACK_S


def _timeline(report: HealthReport | None) -> int | None:
    if report is None:
        return None
    leader = [c for c in report.of_kind("patroni") if c.role == "leader"]
    value = leader[0].facts.get("timeline") if leader else None
    return int(value) if value is not None else None


def _role(report: HealthReport | None, name: str) -> str | None:
    return next((c.role for c in report.components if c.name == name), None) if report else None


def _leader_change(run: Run) -> tuple[float | None, str | None]:
    kind = run.scenario.expect.leader_change
    if kind not in ("postgres", "redis") or run.watcher is None or run.trigger is None:
        return None, None
    old = run.old_leader if kind == "postgres" else run.old_master
    sample = first_new_leader(run.watcher.samples, old, run.trigger, kind)
    if sample is None:
        return None, None
    claims = sample.pg_leaders if kind == "postgres" else sample.redis_masters
    return round(sample.at - run.trigger, 3), claims[0]


def _checks(run: Run, report: Report) -> list[Check]:
    expect, checks = run.scenario.expect, []
    if run.not_injected:
        checks.append(Check(name="fault injected", ok=False, detail=run.not_injected))
    checks.append(
        Check(name="rollback", ok=run.rollback in ("done", "not needed"), detail=run.rollback)
    )
    checks.append(
        Check(
            name="healthy after restore",
            ok=not run.still_broken and bool(run.after),
            detail="; ".join(run.still_broken) or "paws-stack health: healthy",
        )
    )
    for result in run.results:
        checks.append(
            Check(
                name=f"{result.workload}: no acknowledged write lost",
                ok=result.lost == 0,
                detail=f"{result.acked} acked, {result.lost} lost {result.lost_on}",
            )
        )
    primary = run.results[0] if run.results else None
    acked = primary.acked if primary else 0
    checks.append(
        Check(
            name="workload really ran",
            ok=acked >= expect.min_acked,
            detail=f"{acked} acked (min {expect.min_acked})",
        )
    )
    checks.append(_split_brain_check(run, report))
    for check in (
        bound("write unavailable", report.write_unavailable_s, expect.max_write_unavailable_s),
        bound(
            "new leader visible",
            report.leader_change_s,
            expect.max_leader_change_s if expect.leader_change in ("postgres", "redis") else None,
        ),
    ):
        if check:
            checks.append(check)
    if expect.max_client_errors is not None:
        checks.append(
            Check(
                name="client errors",
                ok=report.client_errors <= expect.max_client_errors,
                detail=f"{report.client_errors} (max {expect.max_client_errors})",
            )
        )
    checks += _role_checks(run, report)
    checks += _write_window_checks(run)
    return checks


def _split_brain_check(run: Run, report: Report) -> Check:
    """Zero events counts only over enough good samples: no evidence is not a pass."""
    good, failed, minimum = report.watcher_samples, report.watcher_failed, run.settings.min_samples
    if good < minimum:
        last = f" (last: {run.watcher.last_failure})" if run.watcher and run.watcher.failed else ""
        return Check(
            name="no split brain",
            ok=False,
            detail=f"not measured: {good} good samples (min {minimum}), {failed} failed{last}",
        )
    return Check(
        name="no split brain",
        ok=report.split_brain_events == 0,
        detail=f"{report.split_brain_events} event(s) in {good} samples ({failed} failed)",
    )


def _role_checks(run: Run, report: Report) -> list[Check]:
    expect, checks = run.scenario.expect, []
    after_leader = (
        next(
            (c.name for c in run.after.components if c.kind == "patroni" and c.role == "leader"),
            None,
        )
        if run.after
        else None
    )
    if expect.leader_change == "none" and "postgres" in run.scenario.workloads:
        checks.append(
            Check(
                name="PostgreSQL leader unchanged",
                ok=after_leader == run.old_leader,
                detail=f"{run.old_leader} -> {after_leader}",
            )
        )
    before, after = report.timeline_before, report.timeline_after
    if expect.timeline != "any":
        ok = (
            (after == before)
            if expect.timeline == "same"
            else (before is not None and after is not None and after > before)
        )
        detail = f"{before} -> {after}"
        checks.append(Check(name=f"timeline {expect.timeline}", ok=ok, detail=detail))
    for victim in run.victims:
        if victim in (run.old_leader, run.old_master) and expect.leader_change != "none":
            role = _role(run.after, victim)
            checks.append(
                Check(
                    name=f"{victim} rejoined as a replica",
                    ok=role in ("replica", "sync_standby"),
                    detail=f"role {role}",
                )
            )
    return checks


def _write_window_checks(run: Run) -> list[Check]:
    expect, checks = run.scenario.expect, []
    pg = next((w for w in run.writers if isinstance(w, PostgresWriter)), None)
    # The window closes when the undo starts: while etcd members or links come back, quorum
    # returns and a (new) leader may rightly acknowledge writes before the undo has finished.
    end = run.restore_started or run.restored or run.stopped
    # With failsafe_mode a leader that still reaches every member keeps writing by design: the
    # two write-stop checks do not apply. Everything else (a new leader, the probe) still does.
    write_stop = pg is not None and not run.config.get("failsafe_mode")
    if pg and not write_stop and (expect.old_leader_stops_writes or expect.no_writes_until_restore):
        checks.append(
            Check(
                name="failsafe_mode on",
                ok=True,
                detail="the write-stop checks (old leader stops, no writes without quorum) "
                "do not apply",
            )
        )
    if pg and write_stop and expect.old_leader_stops_writes:
        late = pg.ledger.acks_between(run.demote_deadline, end, run.old_leader)
        checks.append(
            Check(
                name="old leader stops acknowledging writes",
                ok=not late,
                detail=f"{len(late)} ack(s) by {run.old_leader} later than ttl + "
                f"loop_wait + {DEMOTE_SLACK_S:.0f} s after the fault",
            )
        )
    if pg and write_stop and expect.no_writes_until_restore:
        late = pg.ledger.acks_between(run.demote_deadline, end)
        checks.append(
            Check(
                name="no writes acknowledged without quorum",
                ok=not late,
                detail=f"{len(late)} ack(s) between the demotion deadline and restore",
            )
        )
    if expect.new_leader_before_restore and run.watcher and run.trigger:
        seen = first_new_leader(run.watcher.samples, run.old_leader, run.trigger)
        ok = seen is not None and seen.at < (run.restore_started or 0)
        checks.append(
            Check(
                name="new leader before the old one resumed",
                ok=ok,
                detail=f"{seen.pg_leaders[0] if seen else 'none'}",
            )
        )
    if expect.probe_old_leader_write:
        on_leader = any(r.probe_row_on_leader for r in run.results)
        checks.append(
            Check(
                name="resumed old leader refuses a direct write",
                ok=run.probe != "acked" and not on_leader,
                detail=f"{run.probe}; row on new leader: {on_leader}",
            )
        )
    return checks


def _events(run: Run, report: Report) -> list[Event]:
    zero = run.injected or (run.marks[0][1] if run.marks else 0.0)
    moments = list(run.marks)
    primary = run.writers[0] if run.writers else None
    if primary and run.injected:
        first = primary.ledger.first_error(run.injected)
        if first:
            moments.append((f"{primary.workload} errors start: {first.error}", first.ended))
        resumed = primary.ledger.resumed_at(run.injected, run.settings.stall_threshold_s)
        if resumed:
            moments.append((f"{primary.workload} writes resume", resumed))
    if report.leader_change_s is not None and run.trigger:
        moments.append((f"new leader: {report.new_node}", run.trigger + report.leader_change_s))
    moments.sort(key=lambda m: m[1])
    return [Event(t=round(at - zero, 2), what=what) for what, at in moments]


def judge(run: Run) -> Report:
    """The report: the issue's fields, the checks behind `passed`, and the timeline."""
    samples = run.watcher.samples if run.watcher else []
    pg = next((w for w in run.writers if isinstance(w, PostgresWriter)), None)
    episodes = split_brain_episodes(samples) + stale_writes(
        pg.ledger.acked() if pg else [], samples
    )
    leader_change_s, new_node = _leader_change(run)
    primary = run.results[0] if run.results else None
    report = Report(
        scenario=run.scenario.name,
        passed=False,
        write_unavailable_s=primary.write_unavailable_s if primary else None,
        leader_change_s=leader_change_s,
        acked=sum(r.acked for r in run.results),
        lost=sum(r.lost for r in run.results),
        unexpected=sum(r.unexpected for r in run.results),
        client_errors=sum(r.client_errors for r in run.results),
        split_brain_events=len(episodes),
        watcher_samples=len(samples),
        watcher_failed=run.watcher.failed if run.watcher else 0,
        recovered_s=round(run.healthy_at - run.injected, 3)
        if run.healthy_at and run.injected
        else None,
        timeline_before=_timeline(run.before),
        timeline_after=_timeline(run.after),
        old_node=", ".join(run.victims) or None,
        new_node=new_node,
        rollback=run.rollback,
        interrupted=run.interrupted,
        not_injected=run.not_injected or None,
        still_broken=run.still_broken,
        remediation=run.remediation,
        workloads=run.results,
        split_brain=[f"{e.kind} {e.nodes} {e.detail}".strip() for e in episodes],
        settings={
            k: run.config.get(k)
            for k in ("ttl", "loop_wait", "retry_timeout", "synchronous_mode", "failsafe_mode")
        },
    )
    apply_http(report, run.http, run.inject_started or run.injected, run.restored, run.injected)
    report.checks = _checks(run, report) + http_checks(run.scenario.http, report.http)
    report.events = _events(run, report)
    report.passed = not run.interrupted and all(c.ok for c in report.checks)
    return report
