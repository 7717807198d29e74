"""The report: exactly the issue's fields, the verdict from the checks, a readable timeline."""

from __future__ import annotations

from typing import Any

from paws_chaos import (
    Report,
    Sample,
    load_chaos_settings,
    load_scenario,
    render_text,
    summarize,
)
from paws_chaos.report import WorkloadResult
from paws_chaos.verdict import Run, judge
from paws_chaos.workloads import Addresses, PostgresWriter
from paws_stack import Component, HealthReport

ISSUE_FIELDS = {
    "scenario",
    "passed",
    "write_unavailable_s",
    "leader_change_s",
    "acked",
    "lost",
    "unexpected",
    "client_errors",
    "split_brain_events",
    "recovered_s",
    "timeline_before",
    "timeline_after",
}


def health(leader: str, timeline: int) -> HealthReport:
    members = [
        Component(
            name=f"patroni-{i}",
            kind="patroni",
            healthy=True,
            role="leader" if f"patroni-{i}" == leader else "replica",
            facts={"timeline": timeline},
        )
        for i in range(3)
    ]
    return HealthReport(healthy=True, profile="full", project="t", problems=[], components=members)


def result(**overrides: Any) -> WorkloadResult:
    values: dict[str, Any] = {
        "workload": "postgres",
        "attempts": 120,
        "acked": 100,
        "lost": 0,
        "unexpected": 1,
        "client_errors": 3,
        "write_unavailable_s": 0.0,
    }
    return WorkloadResult(**{**values, **overrides})


class FakeWatcher:
    """What the verdict reads of a Watcher: its good samples and its failed polls."""

    def __init__(self, good: int = 200, failed: int = 0, leader: str = "patroni-0") -> None:
        self.samples = [Sample(90.0 + i * 0.25, (leader,), ()) for i in range(good)]
        self.failed = failed
        self.last_failure = "NoAnswer: none of 6 nodes answered" if failed else ""


def replica_run(**overrides: Any) -> Run:
    run = Run(
        scenario=load_scenario("patroni-replica-failure"),
        settings=load_chaos_settings(),
        before=health("patroni-0", 1),
        after=health("patroni-0", 1),
        config={"ttl": 10, "loop_wait": 2},
        old_leader="patroni-0",
        injected=100.0,
        trigger=100.0,
        restored=110.0,
        healthy_at=115.0,
        rollback="done",
        results=[result()],
        watcher=FakeWatcher(),  # type: ignore[arg-type]
    )
    for key, value in overrides.items():
        setattr(run, key, value)
    return run


class TestFields:
    """The JSON document carries the issue's fields."""

    def test_issue_fields_present(self) -> None:
        """Every field the issue lists is in the JSON document."""
        assert set(judge(replica_run()).model_dump()) >= ISSUE_FIELDS

    def test_numbers_add_up(self) -> None:
        """Top-level numbers are the workloads' sums; recovered_s counts from the fault."""
        report = judge(replica_run(results=[result(), result(workload="redis", acked=7)]))
        assert (report.acked, report.unexpected, report.client_errors) == (107, 2, 6)
        assert report.recovered_s == 15.0
        assert (report.timeline_before, report.timeline_after) == (1, 1)


class TestVerdict:
    """passed is true only when every check holds; exit codes follow."""

    def test_clean_run_passes(self) -> None:
        """No loss, healthy, bounds met: exit 0."""
        report = judge(replica_run())
        assert report.passed, [c for c in report.checks if not c.ok]
        assert report.exit_code == 0

    def test_a_lost_write_fails(self) -> None:
        """One lost acknowledged write is a failure (exit 1)."""
        report = judge(replica_run(results=[result(lost=1, lost_on={"patroni-2": ["7"]})]))
        assert not report.passed and report.exit_code == 1

    def test_a_failed_rollback_fails_and_says_what_is_broken(self) -> None:
        """The report names the broken thing and the fix."""
        run = replica_run(
            rollback="failed: undo of kill(x)",
            still_broken=["patroni-1: container exited"],
            remediation=["docker start x"],
        )
        report = judge(run)
        assert not report.passed
        text = render_text(report)
        assert "still broken" in text and "docker start x" in text

    def test_too_slow_fails_the_bound(self) -> None:
        """write_unavailable_s above the scenario's bound fails."""
        report = judge(replica_run(results=[result(write_unavailable_s=99.0)]))
        failed = [c.name for c in report.checks if not c.ok]
        assert failed == ["write unavailable"]

    def test_too_few_writes_is_not_a_pass(self) -> None:
        """A workload that barely ran proves nothing."""
        report = judge(replica_run(results=[result(acked=3)]))
        assert "workload really ran" in [c.name for c in report.checks if not c.ok]

    def test_leader_change_where_none_is_expected_fails(self) -> None:
        """A replica failure must not move the leader or the timeline."""
        report = judge(replica_run(after=health("patroni-1", 2)))
        failed = {c.name for c in report.checks if not c.ok}
        assert failed == {"PostgreSQL leader unchanged", "timeline same"}

    def test_interrupted_exits_130(self) -> None:
        """Ctrl-C after the rollback: not a pass, exit 130."""
        report = judge(replica_run(interrupted=True))
        assert report.exit_code == 130 and not report.passed

    def test_a_refused_fault_could_not_run(self) -> None:
        """The engine refused the fault: not a pass, exit 2, the reason in the checks."""
        report = judge(replica_run(not_injected="could not inject pause(p0): unable to freeze"))
        assert report.exit_code == 2 and not report.passed
        assert "unable to freeze" in next(c.detail for c in report.checks if not c.ok)
        assert render_text(report).rstrip().endswith("verdict: COULD NOT RUN")


class TestSplitBrainEvidence:
    """ "No split brain" needs enough good samples; every failed poll is counted."""

    def test_zero_samples_is_not_measured_and_fails(self) -> None:
        """A watcher whose every poll failed proves nothing: the check fails as not measured."""
        report = judge(replica_run(watcher=FakeWatcher(good=0, failed=240)))
        check = next(c for c in report.checks if c.name == "no split brain")
        assert not check.ok and check.detail.startswith("not measured: 0 good samples")
        assert "240 failed" in check.detail and not report.passed

    def test_below_the_minimum_fails(self) -> None:
        """One sample short of `min_samples` is still not measured."""
        minimum = load_chaos_settings().min_samples
        report = judge(replica_run(watcher=FakeWatcher(good=minimum - 1)))
        assert not next(c for c in report.checks if c.name == "no split brain").ok

    def test_enough_samples_pass_and_report_the_failures(self) -> None:
        """At the minimum the check holds, and the detail and the report count failed polls."""
        minimum = load_chaos_settings().min_samples
        report = judge(replica_run(watcher=FakeWatcher(good=minimum, failed=3)))
        check = next(c for c in report.checks if c.name == "no split brain")
        assert check.ok and f"in {minimum} samples (3 failed)" in check.detail
        assert (report.watcher_samples, report.watcher_failed) == (minimum, 3)


class TestFailsafe:
    """failsafe_mode drops exactly the write-stop checks its message names."""

    def freeze_run(self, failsafe: bool) -> Run:
        scenario = load_scenario("leader-freeze")
        stops = scenario.expect.model_copy(update={"old_leader_stops_writes": True})
        return replica_run(
            scenario=scenario.model_copy(update={"expect": stops}),
            config={"ttl": 10, "loop_wait": 2, "failsafe_mode": failsafe},
            writers=[PostgresWriter({}, "chaos_0123456789", Addresses(dict), 0.1)],
        )

    def test_failsafe_keeps_the_new_leader_and_probe_checks(self) -> None:
        """With failsafe on, the new-leader and direct-write checks are still judged."""
        names = [c.name for c in judge(self.freeze_run(failsafe=True)).checks]
        assert "failsafe_mode on" in names
        assert "new leader before the old one resumed" in names
        assert "resumed old leader refuses a direct write" in names
        assert "old leader stops acknowledging writes" not in names

    def test_without_failsafe_the_write_stop_check_applies(self) -> None:
        """With failsafe off the write-stop check is there and no failsafe line."""
        names = [c.name for c in judge(self.freeze_run(failsafe=False)).checks]
        assert "old leader stops acknowledging writes" in names
        assert "failsafe_mode on" not in names


class TestHumanReport:
    """The text report shows the timeline and the verdict."""

    def test_timeline_and_verdict(self) -> None:
        """Events are listed relative to the fault, then the verdict."""
        run = replica_run()
        run.mark("fault injected: kill(patroni-1)", 100.0)
        run.mark("stack healthy: node rejoined", 115.0)
        text = render_text(judge(run))
        assert "+0.0  fault injected: kill(patroni-1)" in text
        assert "+15.0  stack healthy" in text
        assert text.rstrip().endswith("verdict: PASS")


class TestSummary:
    """--repeat and the benchmark report median and max."""

    def test_summary_counts_lost_over_runs(self) -> None:
        """lost adds up; passed needs every run."""
        good = judge(replica_run())
        bad = good.model_copy(update={"passed": False, "lost": 2})
        summary = summarize([good, bad])
        assert summary["lost"] == 2 and summary["passed"] is False and summary["runs"] == 2

    def test_report_round_trips_through_json(self) -> None:
        """--json output parses back into the model."""
        report = judge(replica_run())
        assert Report.model_validate_json(report.model_dump_json()) == report
