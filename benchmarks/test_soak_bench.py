"""Soak (issue 14): experiments back to back, each scenario drawn at random with a printed seed.

The stack must end healthy, with 0 lost writes and 0 leftover faults: after every experiment
`recover` looks for anything paws could have left behind (journal, paused or stopped members,
disconnected networks, paws' iptables rules, workload tables and keys) and must find nothing.
PAWS_SOAK_SEED repeats a sequence; PAWS_SOAK_RUNS changes its length (default 10).
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest

from paws_chaos import Report, list_scenarios, load_scenario, recover, run_scenario
from paws_stack import Stack

RUNS = int(os.environ.get("PAWS_SOAK_RUNS", "10"))


@pytest.fixture(scope="module")
def stack(prepared: Stack) -> Stack:
    prepared.up(assume_yes=True)
    return prepared


def _sequence(seed: int) -> list[str]:
    names = [scenario.name for scenario in list_scenarios()]
    chooser = random.Random(seed)  # a reproducible draw, not a secret
    return [chooser.choice(names) for _ in range(RUNS)]


def test_soak(benchmark: Any, stack: Stack) -> None:
    """RUNS random experiments; after each, recovery finds nothing left to undo."""
    seed = int(os.environ.get("PAWS_SOAK_SEED") or random.SystemRandom().randrange(2**32))
    sequence = _sequence(seed)
    print(f"\n[soak] seed {seed} (PAWS_SOAK_SEED={seed} repeats it): {', '.join(sequence)}")
    reports: list[Report] = []
    leftovers: list[list[str]] = []

    def soak() -> None:
        for name in sequence:
            reports.append(run_scenario(stack, load_scenario(name)))
            found = recover(stack, 120.0)
            leftovers.append([repair.what for repair in found.repairs])
            failed = [f"{c.name}: {c.detail}" for c in reports[-1].checks if not c.ok]
            print(f"[soak] {name}: passed={reports[-1].passed} leftovers={leftovers[-1]}")
            for line in failed:
                print(f"[soak]   FAIL {line}")

    benchmark.pedantic(soak, rounds=1, iterations=1)
    benchmark.extra_info.update(
        {
            "seed": seed,
            "sequence": sequence,
            "passed": [r.passed for r in reports],
            "failed_checks": [[c.name for c in r.checks if not c.ok] for r in reports],
            "lost": sum(r.lost for r in reports),
            "http_errors": sum(r.http_errors or 0 for r in reports),
            "http_lost": sum(r.http_lost or 0 for r in reports),
            "leftover_faults": sum(len(found) for found in leftovers),
        }
    )
    print(f"[soak] {benchmark.extra_info}")
    assert len(reports) == RUNS
    assert benchmark.extra_info["lost"] == 0 and benchmark.extra_info["http_lost"] == 0
    assert benchmark.extra_info["leftover_faults"] == 0, leftovers
    assert stack.health().healthy
