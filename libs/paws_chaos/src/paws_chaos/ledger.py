"""Bookkeeping of one workload: every attempt, timestamped, and what the timestamps mean.

Pure logic (no I/O), so the arithmetic of "how long were writes impossible" is unit-tested.

>>> ledger = Ledger("postgres")
>>> for key, start, end, outcome in [(1, 0.0, 0.1, "acked"), (2, 0.2, 3.0, "failed"),
...                                  (3, 3.1, 5.0, "acked"), (4, 5.1, 5.2, "acked")]:
...     ledger.record(Attempt(str(key), start, end, outcome))
>>> ledger.unavailable_windows(since=0.15, threshold=1.0)
[(0.1, 5.0)]
>>> ledger.write_unavailable_s(since=0.15, threshold=1.0)
4.9
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["acked", "failed", "ambiguous"]


@dataclass(frozen=True)
class Attempt:
    """One write: `failed` never reached the server's commit; `ambiguous` may have."""

    key: str
    started: float
    ended: float
    outcome: Outcome
    node: str | None = None
    error: str = ""


class Ledger:
    """Every attempt of one writer; appended from the writer's thread, read afterwards."""

    def __init__(self, workload: str) -> None:
        self.workload = workload
        self._attempts: list[Attempt] = []
        self._lock = threading.Lock()

    def record(self, attempt: Attempt) -> None:
        with self._lock:
            self._attempts.append(attempt)

    @property
    def attempts(self) -> list[Attempt]:
        with self._lock:
            return list(self._attempts)

    def acked(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome == "acked"]

    def acked_keys(self) -> set[str]:
        return {a.key for a in self.acked()}

    def errors(self, since: float = float("-inf")) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome != "acked" and a.ended >= since]

    def acks_between(self, start: float, end: float, node: str | None = None) -> list[Attempt]:
        """Acked attempts that started inside [start, end], optionally served by `node`."""
        return [
            a
            for a in self.acked()
            if start <= a.started <= end and (node is None or a.node == node)
        ]

    def first_error(self, since: float) -> Attempt | None:
        errors = self.errors(since)
        return min(errors, key=lambda a: a.ended) if errors else None

    def unavailable_windows(
        self, since: float, threshold: float, until: float | None = None
    ) -> list[tuple[float, float]]:
        """Spans with no acknowledged write: from the last ack before an error (or a gap longer
        than `threshold`) to the next ack. A span still open at `until` ends there."""
        attempts = self.attempts
        acks = sorted(a.ended for a in attempts if a.outcome == "acked")
        error_ends = sorted(a.ended for a in attempts if a.outcome != "acked")
        before = [t for t in acks if t <= since]
        previous = before[-1] if before else since
        windows = []
        for ended in (t for t in acks if t > since):
            erred = any(previous < e <= ended for e in error_ends)
            if erred or ended - previous > threshold:
                windows.append((round(previous, 3), round(ended, 3)))
            previous = ended
        if until is not None and (
            until - previous > threshold or any(e > previous for e in error_ends)
        ):
            windows.append((round(previous, 3), round(until, 3)))
        return windows

    def write_unavailable_s(
        self, since: float, threshold: float, until: float | None = None
    ) -> float:
        """The longest span without an acknowledged write after `since` (0 when none)."""
        windows = self.unavailable_windows(since, threshold, until)
        return round(max((end - start for start, end in windows), default=0.0), 3)

    def resumed_at(self, since: float, threshold: float) -> float | None:
        """When writes came back after the longest outage (None: no outage or never back)."""
        windows = self.unavailable_windows(since, threshold)
        if not windows:
            return None
        return max(windows, key=lambda w: w[1] - w[0])[1]
