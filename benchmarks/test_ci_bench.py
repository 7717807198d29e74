"""Local CI benchmark: `nox -s ci` end to end on this repository's workflow, images warm.

Targets (issue 5): seed requirement <= 5 min, paws target <= 2 min. The selection is the lint and
unit jobs (`workflow_dispatch` with `integration=false`), as in TC-018; the integration job's
time is the stack tests' own, measured by their benchmarks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SELECTION = ("workflow_dispatch", "--input", "integration=false")


def _command() -> list[str]:
    """`nox -s ci -- ...` when nox is at hand (make's .paws/tools), else what the session runs."""
    nox = ROOT / ".paws" / "tools" / "bin" / "nox"
    found = str(nox) if nox.is_file() else shutil.which("nox")
    if found:
        return [found, "-s", "ci", "--", *SELECTION]
    return [sys.executable, "-m", "paws_ci.cli", "--repo", str(ROOT), "run", *SELECTION]


@pytest.fixture(scope="module")
def warm() -> None:
    """Runner image built and package caches filled: one untimed run first."""
    if shutil.which("docker") is None:
        pytest.skip("no docker")
    subprocess.run(_command(), cwd=ROOT, capture_output=True, check=False)


def test_local_ci_end_to_end(benchmark: Any, warm: None) -> None:
    """Wall clock of one local CI run (lint + 3 unit jobs in parallel) with warm images."""

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(_command(), cwd=ROOT, capture_output=True, text=True, check=False)

    result = benchmark.pedantic(run, rounds=2, iterations=1)
    assert result.returncode == 0, result.stdout[-2000:]
    assert benchmark.stats.stats.max <= 300
