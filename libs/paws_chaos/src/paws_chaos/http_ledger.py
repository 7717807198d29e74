"""Bookkeeping of the HTTP workload: every request, timestamped, and what the numbers mean.

Pure logic (no I/O), so the accounting and the percentiles are unit-tested.

>>> ledger = HttpLedger()
>>> ledger.record(HttpCall("frontend", "notes", 0.0, 0.1, 201, note_id="a", text="t1"))
>>> ledger.record(HttpCall("backend", "notes", 1.0, 9.0, 201, note_id="b", text="t2"))
>>> ledger.record(HttpCall("backend", "visits", 2.0, 2.1, 503))
>>> ledger.record(HttpCall("frontend", "notes", 3.0, 43.0, None, error="ReadTimeout"))
>>> tally = ledger.tally()
>>> (tally.requests, tally.errors, tally.non_2xx, tally.transport_errors, tally.acked)
(4, 2, 1, 1, 2)
>>> latency(ledger.overlapping(1.5, 5.0))
Latency(p50_s=8.0, p99_s=40.0, samples=3)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Route = Literal["frontend", "backend"]
Call = Literal["notes", "visits"]


@dataclass(frozen=True)
class HttpCall:
    """One request. `status` is None when no answer came (transport error or timeout)."""

    route: Route
    call: Call
    started: float
    ended: float
    status: int | None
    error: str = ""
    key: str = ""  # the Idempotency-Key sent (a note's id as the backend stores it)
    note_id: str = ""  # the id of the stored note, from a 201 answer
    text: str = ""

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def ok(self) -> bool:
        """A 2xx answer the client could use (a 201 without a note id is not)."""
        return self.status is not None and 200 <= self.status < 300 and not self.error

    @property
    def acked(self) -> bool:
        """A note the application acknowledged as stored: it must exist afterwards."""
        return self.call == "notes" and self.status == 201 and bool(self.note_id) and self.ok


@dataclass(frozen=True)
class Tally:
    """Counts over a set of requests; `errors` is what the user would have seen fail."""

    requests: int
    errors: int
    non_2xx: int
    transport_errors: int
    acked: int


@dataclass(frozen=True)
class Latency:
    """Request latency percentiles (nearest rank) over `samples` requests."""

    p50_s: float | None
    p99_s: float | None
    samples: int


def tally(calls: Sequence[HttpCall]) -> Tally:
    """Count requests, failed ones (answers outside 2xx, no answer at all, or a 2xx the client
    could not use), and acknowledged notes."""
    return Tally(
        requests=len(calls),
        errors=sum(1 for c in calls if not c.ok),
        non_2xx=sum(1 for c in calls if c.status is not None and not 200 <= c.status < 300),
        transport_errors=sum(1 for c in calls if c.status is None),
        acked=sum(1 for c in calls if c.acked),
    )


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least pct % of values at or
    below it. With few samples p99 is the maximum, which is the honest answer.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.0
    >>> percentile([5.0, 1.0, 3.0], 99)
    5.0
    >>> percentile([], 50) is None
    True
    """
    if not values:
        return None
    if not 0 < pct <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {pct}")
    ordered = sorted(values)
    rank = math.ceil(pct / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def latency(calls: Sequence[HttpCall]) -> Latency:
    """p50 and p99 of the requests' durations, failed ones included (the user waited too)."""
    seconds = [c.seconds for c in calls]
    p50, p99 = percentile(seconds, 50), percentile(seconds, 99)
    return Latency(
        p50_s=None if p50 is None else round(p50, 3),
        p99_s=None if p99 is None else round(p99, 3),
        samples=len(seconds),
    )


class HttpLedger:
    """Every request of the HTTP clients; appended from their threads, read afterwards."""

    def __init__(self) -> None:
        self._calls: list[HttpCall] = []
        self._lock = threading.Lock()

    def record(self, call: HttpCall) -> None:
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[HttpCall]:
        with self._lock:
            return list(self._calls)

    def tally(self) -> Tally:
        return tally(self.calls)

    def acked(self) -> list[HttpCall]:
        return [c for c in self.calls if c.acked]

    def errors(self) -> list[HttpCall]:
        return [c for c in self.calls if not c.ok]

    def overlapping(self, start: float, end: float) -> list[HttpCall]:
        """Requests in flight at some moment of [start, end] (the fault's window): one that
        started just before the fault and waited through it counts."""
        return [c for c in self.calls if c.started <= end and c.ended >= start]

    def acked_by_route(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for call in self.acked():
            counts[call.route] = counts.get(call.route, 0) + 1
        return counts

    def note_keys(self) -> list[str]:
        """Every Idempotency-Key sent with a note, acknowledged or not (for the cleanup)."""
        return sorted({c.key for c in self.calls if c.call == "notes" and c.key})

    def note_texts(self) -> list[str]:
        return sorted({c.text for c in self.calls if c.call == "notes" and c.text})


def describe(call: HttpCall, zero: float) -> str:
    """One line for the report: when (relative to the fault), where, how long, what answer."""
    answer = str(call.status) if call.status is not None else call.error or "no answer"
    return (
        f"{call.started - zero:+.1f} s {call.route} POST /api/{call.call}: "
        f"{answer} after {call.seconds:.2f} s"
    )
