"""TLS mode's cost at start: `up` with TLS against `up` without, fresh volumes each time.

Target (issue 12): ratio <= 1.2 (TLS over plain, medians). Rounds alternate plain and TLS so
that a change in the machine's load during the run falls on both. The certificates exist
before the first timed round (setup makes them once; `up --tls` only checks them), as on a
developer's machine after the first day.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks.conftest import ROOT
from paws_stack import Stack

ROUNDS = 3
TARGET_RATIO = 1.2


def _stack(tls: bool) -> Stack:
    return Stack.from_settings(project_dir=ROOT, profile="full", tls=tls)


def _fresh_up(stack: Stack) -> float:
    stack.down(volumes=True)
    started = time.monotonic()
    report = stack.up()
    elapsed = time.monotonic() - started
    assert report.healthy
    return elapsed


def test_up_with_tls_against_without(benchmark: Any, prepared: Stack) -> None:
    """Fresh `up` to healthy, plain then TLS, ROUNDS times; the ratio of the medians."""
    plain, secure = _stack(tls=False), _stack(tls=True)
    secure.setup(assume_yes=True)  # the certificates, before anything is timed
    times: dict[str, list[float]] = {"plain": [], "tls": []}

    def one_pair() -> None:
        times["plain"].append(_fresh_up(plain))
        times["tls"].append(_fresh_up(secure))

    try:
        benchmark.pedantic(one_pair, rounds=ROUNDS, iterations=1)
    finally:
        secure.down(volumes=True)
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    ratio = medians["tls"] / medians["plain"]
    benchmark.extra_info.update(
        {
            "plain_up_s": [round(t, 2) for t in times["plain"]],
            "tls_up_s": [round(t, 2) for t in times["tls"]],
            "plain_median_s": round(medians["plain"], 2),
            "tls_median_s": round(medians["tls"], 2),
            "ratio": round(ratio, 3),
            "target_ratio": TARGET_RATIO,
        }
    )
    print(f"\n[bench] up with TLS against without: {benchmark.extra_info}")
    assert len(times["tls"]) == ROUNDS  # no zero-sample result
