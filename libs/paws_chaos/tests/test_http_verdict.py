"""The verdict on the HTTP workload: AC-2's zero errors and zero lost notes, and no evidence is
never a pass (not measured, zero samples during the fault)."""

from __future__ import annotations

from typing import Any

from test_report import replica_run

from paws_chaos import load_scenario, render_text
from paws_chaos.http_ledger import HttpCall
from paws_chaos.http_notes import NotesCheck
from paws_chaos.http_phase import NO_APPS, NO_HTTP, HttpPhase
from paws_chaos.http_report import HttpResult
from paws_chaos.http_verdict import http_checks, http_result
from paws_chaos.http_workload import HttpWorkload
from paws_chaos.scenarios import HttpExpect
from paws_chaos.verdict import judge

REQUIRED = HttpExpect(calls=["notes"], required=True, max_errors=0, max_lost=0)
MEASURED_ONLY = HttpExpect(calls=["notes"], max_lost=0)
FAULT = (100.0, 110.0)  # injected, restored


def call(started: float, seconds: float, status: int | None = 201, n: int = 0) -> HttpCall:
    key = f"00000000-0000-4000-8000-{n:012d}"
    ok = status == 201
    error = "" if status is not None and 200 <= status < 300 else "boom"
    return HttpCall(
        "backend",
        "notes",
        started,
        started + seconds,
        status,
        error,
        key,
        key if ok else "",
        f"t{n}",
    )


def phase(
    calls: list[HttpCall], expect: HttpExpect = REQUIRED, notes: NotesCheck | None = None
) -> HttpPhase:
    workload = HttpWorkload({"backend": "http://127.0.0.1:1"}, expect.calls, "tag")
    for one in calls:
        workload.ledger.record(one)
    found = notes if notes is not None else NotesCheck(lost_ids=[], duplicates=0, stored_unacked=0)
    return HttpPhase(expect, "measured", workload=workload, notes=found)


def steady(**overrides: Any) -> list[HttpCall]:
    """A clean run: 60 quick notes every 0.5 s (21 during the fault), 2 waiting 8 s in it."""
    calls = [call(90 + i * 0.5, 0.05, n=i) for i in range(60)]
    calls += [call(101, 8.0, n=100), call(101.5, 7.5, n=101)]
    return calls


def failed(result: HttpResult, expect: HttpExpect = REQUIRED) -> set[str]:
    return {c.name for c in http_checks(expect, result) if not c.ok}


class TestMeasured:
    """With apps: the numbers and the bounds."""

    def test_a_clean_run_passes_with_latency_during_the_fault(self) -> None:
        """0 errors, 0 lost; p99 over the requests in flight during the fault."""
        result = http_result(phase(steady()), *FAULT)
        assert failed(result) == set()
        assert (result.errors, result.acked, result.lost, result.duplicates) == (0, 62, 0, 0)
        assert result.latency_p99_s == 8.0 and result.latency_samples == 23

    def test_one_error_fails_ac2(self) -> None:
        """A single 503 the user saw is a failure where zero errors are required."""
        result = http_result(phase([*steady(), call(105, 30.0, 503, n=200)]), *FAULT)
        assert failed(result) == {"HTTP: no errors"}
        assert result.non_2xx == 1

    def test_a_transport_error_fails_ac2(self) -> None:
        """No answer within the timeout is an error too."""
        result = http_result(phase([*steady(), call(105, 40.0, None, n=200)]), *FAULT)
        assert failed(result) == {"HTTP: no errors"} and result.transport_errors == 1

    def test_a_lost_note_fails(self) -> None:
        """An acknowledged note missing afterwards fails, and its id is named."""
        lost = NotesCheck(
            lost_ids=["00000000-0000-4000-8000-000000000100"], duplicates=0, stored_unacked=0
        )
        result = http_result(phase(steady(), notes=lost), *FAULT)
        assert failed(result) == {"HTTP: every acknowledged note stored exactly once"}
        assert result.lost == 1 and result.lost_ids

    def test_a_duplicate_note_fails(self) -> None:
        """A retried write stored twice fails."""
        twice = NotesCheck(lost_ids=[], duplicates=1, stored_unacked=0)
        result = http_result(phase(steady(), notes=twice), *FAULT)
        assert failed(result) == {"HTTP: every acknowledged note stored exactly once"}

    def test_notes_that_could_not_be_checked_are_not_a_pass(self) -> None:
        """A failed lookup leaves lost unknown: a failure naming the error."""
        unchecked = phase(steady())
        unchecked.notes, unchecked.verify_error = None, "OperationalError: timeout"
        checks = http_checks(REQUIRED, http_result(unchecked, *FAULT))
        bad = [c for c in checks if not c.ok]
        assert len(bad) == 1 and "OperationalError" in bad[0].detail

    def test_zero_samples_during_the_fault_is_a_failure(self) -> None:
        """No request in flight during the fault measured nothing: not a pass."""
        result = http_result(phase([call(0, 0.1, n=1)]), *FAULT)
        assert result.latency_samples == 0 and result.latency_p99_s is None
        assert failed(result) == {"HTTP: requests during the fault"}

    def test_no_fault_window_is_zero_samples(self) -> None:
        """Nothing injected: no window, so nothing during it."""
        result = http_result(phase(steady()), None, None)
        assert failed(result) == {"HTTP: requests during the fault"}

    def test_nothing_acknowledged_is_a_failure(self) -> None:
        """Only failures: 0 lost proves nothing."""
        result = http_result(phase([call(101, 1.0, 503, n=1)]), *FAULT)
        assert "HTTP: every acknowledged note stored exactly once" in failed(result)

    def test_measured_only_scenarios_judge_loss_not_errors(self) -> None:
        """Without max_errors, errors are reported but only a lost note fails."""
        result = http_result(phase([*steady(), call(105, 30.0, 503, n=9)], MEASURED_ONLY), *FAULT)
        assert failed(result, MEASURED_ONLY) == set()
        assert [c.name for c in http_checks(MEASURED_ONLY, result)] == [
            "HTTP: every acknowledged note stored exactly once"
        ]

    def test_a_p99_bound_from_the_scenario_applies(self) -> None:
        """max_p99_s, when a scenario sets one, bounds the latency during the fault."""
        bounded = REQUIRED.model_copy(update={"max_p99_s": 5.0})
        assert failed(http_result(phase(steady()), *FAULT), bounded) == {
            "HTTP: requests during the fault"
        }


class TestNotMeasured:
    """Without apps, or with --no-http."""

    def test_required_and_no_apps_fails_with_the_way_out(self) -> None:
        """The four AC-2 scenarios fail when the stack has no apps, naming --no-http."""
        result = HttpResult(status="not measured", reason=NO_APPS)
        checks = http_checks(REQUIRED, result)
        assert [c.ok for c in checks] == [False]
        assert "--no-http" in checks[0].detail and "without apps" in checks[0].detail

    def test_not_required_and_no_apps_adds_no_check(self) -> None:
        """Other scenarios simply report it as not measured."""
        assert http_checks(MEASURED_ONLY, HttpResult(status="not measured", reason=NO_APPS)) == []

    def test_skipped_is_said_and_passes(self) -> None:
        """--no-http: skipped, and the report says so."""
        checks = http_checks(REQUIRED, HttpResult(status="skipped", reason=NO_HTTP))
        assert [(c.ok, "skipped" in c.detail) for c in checks] == [(True, True)]

    def test_required_but_never_started_fails(self) -> None:
        """No HTTP result at all for a required workload is no evidence."""
        assert [c.ok for c in http_checks(REQUIRED, None)] == [False]

    def test_a_scenario_without_http_has_no_http_checks(self) -> None:
        """No http block: nothing to judge."""
        assert http_checks(None, None) == []


class TestReport:
    """The report's http_* fields and text, through judge()."""

    def required_run(self, http: HttpPhase | None) -> Any:
        scenario = load_scenario("patroni-replica-failure").model_copy(update={"http": REQUIRED})
        return replica_run(scenario=scenario, http=http)

    def test_fields_are_filled_and_the_verdict_counts_them(self) -> None:
        """A clean HTTP run keeps a clean run passing, with the numbers in the JSON."""
        report = judge(self.required_run(phase(steady())))
        assert report.passed, [c for c in report.checks if not c.ok]
        dumped = report.model_dump()
        assert (dumped["http_errors"], dumped["http_acked"], dumped["http_lost"]) == (0, 62, 0)
        assert dumped["http_latency_p99_s"] == 8.0 and dumped["http_latency_samples"] == 23
        assert dumped["http"]["status"] == "measured"
        assert "http latency" in render_text(report)

    def test_an_http_error_fails_the_whole_run(self) -> None:
        """AC-2: one error, exit 1."""
        report = judge(self.required_run(phase([*steady(), call(105, 30.0, 503, n=9)])))
        assert not report.passed and report.exit_code == 1
        assert report.http_errors == 1

    def test_no_apps_leaves_the_fields_empty_and_fails(self) -> None:
        """Not measured: http_* are None (not 0), the report says why, the run fails."""
        not_measured = HttpPhase(REQUIRED, "not measured", NO_APPS)
        report = judge(self.required_run(not_measured))
        assert report.http_errors is None and report.http_lost is None
        assert not report.passed
        assert "not measured" in render_text(report)

    def test_skipped_passes_and_says_so(self) -> None:
        """--no-http: the infrastructure verdict alone, the skip stated."""
        report = judge(self.required_run(HttpPhase(REQUIRED, "skipped", NO_HTTP)))
        assert report.passed
        assert "http workload       skipped" in render_text(report)

    def test_the_window_opens_when_the_injection_began(self) -> None:
        """A switchover's inject call returns when it is done: a request that waited through
        it, started before `injected`, still counts as during the fault."""
        calls = [call(80 + i * 0.5, 0.05, n=i) for i in range(20)]  # all before the fault
        calls.append(call(96.0, 6.0, n=50))  # answered before `injected` (= 100)
        run = self.required_run(phase(calls))
        run.inject_started = 95.0
        report = judge(run)
        assert report.http_latency_samples == 1 and report.http_latency_p99_s == 6.0
