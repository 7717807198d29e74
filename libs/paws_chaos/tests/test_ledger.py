"""Workload bookkeeping: acks, errors, and how long writes were impossible."""

from __future__ import annotations

from paws_chaos import Attempt, Ledger


def ledger_of(*rows: tuple[int, float, float, str, str | None]) -> Ledger:
    ledger = Ledger("postgres")
    for key, start, end, outcome, node in rows:
        ledger.record(Attempt(str(key), start, end, outcome, node))  # type: ignore[arg-type]
    return ledger


class TestBookkeeping:
    """Each attempt is kept with its outcome."""

    def test_acked_keys_exclude_failed_and_ambiguous(self) -> None:
        """Only acknowledged writes count as acked; ambiguous ones are errors."""
        ledger = ledger_of(
            (1, 0, 0.1, "acked", "a"),
            (2, 0.2, 0.3, "failed", None),
            (3, 0.4, 0.5, "ambiguous", "a"),
        )
        assert ledger.acked_keys() == {"1"}
        assert [a.key for a in ledger.errors()] == ["2", "3"]

    def test_acks_between_filters_by_start_and_node(self) -> None:
        """A window check sees acks that started inside it, optionally from one node."""
        ledger = ledger_of((1, 1.0, 1.1, "acked", "a"), (2, 2.0, 2.1, "acked", "b"))
        assert [a.key for a in ledger.acks_between(0.5, 2.5)] == ["1", "2"]
        assert [a.key for a in ledger.acks_between(0.5, 2.5, "b")] == ["2"]
        assert ledger.acks_between(1.5, 1.9) == []

    def test_first_error_after_a_moment(self) -> None:
        """Errors before the fault do not count as the fault's first error."""
        ledger = ledger_of((1, 0, 0.1, "failed", None), (2, 5, 5.5, "failed", None))
        first = ledger.first_error(since=1.0)
        assert first is not None and first.key == "2"


class TestWriteUnavailable:
    """write_unavailable_s: the longest span without an acknowledged write."""

    def test_no_errors_and_steady_acks_is_zero(self) -> None:
        """A steady stream of acks means writes never stopped."""
        ledger = ledger_of(*[(i, i * 0.1, i * 0.1 + 0.05, "acked", "a") for i in range(50)])
        assert ledger.write_unavailable_s(since=1.0, threshold=1.0) == 0.0

    def test_outage_runs_from_last_ack_to_next_ack(self) -> None:
        """The span starts at the last success before the errors and ends at the next one."""
        ledger = ledger_of(
            (1, 0.0, 1.0, "acked", "a"),
            (2, 1.1, 3.0, "failed", None),
            (3, 3.1, 5.0, "failed", None),
            (4, 5.1, 10.0, "acked", "b"),
        )
        assert ledger.write_unavailable_s(since=1.05, threshold=1.0) == 9.0
        assert ledger.resumed_at(since=1.05, threshold=1.0) == 10.0

    def test_a_silent_stall_counts(self) -> None:
        """A commit that hangs without an error is unavailability too (above the threshold)."""
        ledger = ledger_of((1, 0.0, 0.1, "acked", "a"), (2, 0.2, 4.1, "acked", "a"))
        assert ledger.write_unavailable_s(since=0.15, threshold=1.0) == 4.0

    def test_a_short_gap_without_errors_is_not_an_outage(self) -> None:
        """Scheduling jitter below the threshold is not reported."""
        ledger = ledger_of((1, 0.0, 0.1, "acked", "a"), (2, 0.2, 0.9, "acked", "a"))
        assert ledger.write_unavailable_s(since=0.15, threshold=1.0) == 0.0

    def test_an_outage_still_open_ends_at_until(self) -> None:
        """Writes that never came back are unavailable until the end of the run."""
        ledger = ledger_of((1, 0.0, 0.1, "acked", "a"), (2, 0.2, 0.5, "failed", None))
        assert ledger.write_unavailable_s(since=0.15, threshold=1.0, until=20.1) == 20.0
        assert ledger.resumed_at(since=0.15, threshold=1.0) is None
