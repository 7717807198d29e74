"""The HTTP workload's bookkeeping: outcomes counted right, percentiles, the fault's window, and
what the notes in PostgreSQL mean (lost, duplicated, stored although the request failed)."""

from __future__ import annotations

import pytest

from paws_chaos.http_ledger import HttpCall, HttpLedger, latency, percentile, tally
from paws_chaos.http_notes import account_notes, note_prefix


def note(started: float, seconds: float, status: int | None = 201, **fields: str) -> HttpCall:
    key = fields.get("key", f"k{started}")
    acked = status == 201 and not fields.get("error")
    return HttpCall(
        fields.get("route", "backend"),  # type: ignore[arg-type]
        "notes",
        started,
        started + seconds,
        status,
        fields.get("error", ""),
        key,
        fields.get("note_id", key if acked else ""),
        fields.get("text", f"t{started}"),
    )


def visit(started: float, seconds: float, status: int | None = 200) -> HttpCall:
    return HttpCall("frontend", "visits", started, started + seconds, status)


class TestPercentile:
    """Nearest-rank percentiles: always a value that was measured."""

    def test_p50_and_p99_of_a_hundred(self) -> None:
        """Of 1..100 s, p50 is 50 s and p99 is 99 s."""
        values = [float(v) for v in range(100, 0, -1)]
        assert (percentile(values, 50), percentile(values, 99)) == (50.0, 99.0)

    def test_p99_of_few_samples_is_the_maximum(self) -> None:
        """With fewer than 100 samples the slowest request is the p99."""
        assert percentile([0.1, 12.5, 0.2], 99) == 12.5

    def test_no_samples_is_none_not_zero(self) -> None:
        """Nothing measured is not a fast request."""
        assert percentile([], 99) is None
        assert latency([]).p99_s is None and latency([]).samples == 0

    @pytest.mark.parametrize("pct", [0, -1, 101])
    def test_a_percentile_outside_the_range_is_refused(self, pct: float) -> None:
        """0 and above 100 have no meaning."""
        with pytest.raises(ValueError, match="percentile"):
            percentile([1.0], pct)


class TestTally:
    """Each request lands in exactly one bucket."""

    def test_outcomes_are_counted_apart(self) -> None:
        """201 acked; 503 non-2xx; no answer is a transport error; visits count but ack nothing."""
        calls = [
            note(0, 0.1),
            note(1, 0.1, 503),
            note(2, 40, None, error="ReadTimeout"),
            visit(3, 1),
        ]
        counts = tally(calls)
        assert (counts.requests, counts.errors, counts.acked) == (4, 2, 1)
        assert (counts.non_2xx, counts.transport_errors) == (1, 1)

    def test_a_201_without_a_note_is_an_error_and_not_acked(self) -> None:
        """The client could not use the answer, so the user saw a failure."""
        broken = note(0, 0.1, 201, error="HTTP 201 without a created note", note_id="")
        counts = tally([broken])
        assert (counts.errors, counts.acked, counts.non_2xx) == (1, 0, 0)

    def test_acks_are_counted_per_route(self) -> None:
        """Both routes' acknowledgements are visible separately."""
        ledger = HttpLedger()
        for call in (note(0, 0.1, route="frontend"), note(1, 0.1), note(2, 0.1)):
            ledger.record(call)
        assert ledger.acked_by_route() == {"frontend": 1, "backend": 2}


class TestFaultWindow:
    """Latency 'during the fault' is over the requests in flight during it."""

    def test_a_request_that_waited_through_the_fault_counts(self) -> None:
        """Started before the injection, answered after it: the user waited through it."""
        ledger = HttpLedger()
        for call in (note(0, 0.1), note(9, 12), note(12, 0.2), note(30, 0.1)):
            ledger.record(call)
        during = ledger.overlapping(10.0, 20.0)
        assert [c.started for c in during] == [9, 12]
        assert latency(during).p99_s == 12.0


class TestNotesAccounting:
    """Every acknowledged note exactly once: by id and by text."""

    def test_all_present_once(self) -> None:
        """Nothing lost, nothing twice."""
        calls = [note(0, 0.1), note(1, 0.1)]
        check = account_notes(calls, {"k0": 1, "k1": 1}, {"t0": 1, "t1": 1})
        assert (check.lost, check.duplicates, check.stored_unacked) == (0, 0, 0)

    def test_an_acknowledged_note_missing_is_lost(self) -> None:
        """A 201 whose row is gone is a lost write, named by its id."""
        check = account_notes([note(0, 0.1), note(1, 0.1)], {"k0": 1}, {"t0": 1})
        assert check.lost == 1 and check.lost_ids == ["k1"]

    def test_a_retry_stored_under_another_id_is_a_duplicate(self) -> None:
        """The same text twice means the write was stored twice, whatever the ids say."""
        check = account_notes([note(0, 0.1)], {"k0": 1}, {"t0": 2})
        assert check.duplicates == 1 and check.lost == 0

    def test_a_failed_request_whose_note_exists_is_reported_apart(self) -> None:
        """Not a loss, not a duplicate: the user saw an error for a note that was stored."""
        check = account_notes([note(0, 0.1, 503)], {}, {"t0": 1})
        assert (check.lost, check.duplicates, check.stored_unacked) == (0, 0, 1)

    def test_visits_are_not_notes(self) -> None:
        """Visit counts are never looked up as notes."""
        check = account_notes([visit(0, 0.1)], {}, {})
        assert (check.lost, check.duplicates, check.stored_unacked) == (0, 0, 0)

    def test_note_texts_carry_the_run_tag(self) -> None:
        """The prefix is the handle for a cleanup that lost the ids."""
        assert note_prefix("abc").startswith("paws-chaos:abc")
