"""Local CI under act against the real engine: TC-018..TC-021, TC-038, TC-039.

Each test runs `paws-ci run` (what `nox -s ci` runs) on this repository's workflow or a fixture
under tests/fixtures/workflows/. Jobs that start a stack use project `pawsci` and its ports
(paws-ci's defaults), never the shared test stack.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import StartedStack

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = "tests/fixtures/workflows"
ARTIFACTS = ROOT / ".paws" / "artifacts"

pytestmark = [
    pytest.mark.act,
    pytest.mark.skipif(bool(os.environ.get("ACT")), reason="act does not run inside act"),
]


def paws_ci(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run paws-ci the way `nox -s ci -- <args>` does."""
    argv = [sys.executable, "-m", "paws_ci.cli", "--repo", str(ROOT), "run", *args]
    return subprocess.run(
        argv, capture_output=True, text=True, cwd=ROOT, timeout=timeout, check=False
    )


@pytest.fixture(scope="module", autouse=True)
def runner_image(started: StartedStack) -> None:
    """Build the runner image once, outside the timed runs. `started` first: on a fresh
    machine it is what installs and starts the engine and builds the base image."""
    built = subprocess.run(
        [sys.executable, "-m", "paws_ci.cli", "--repo", str(ROOT), "build-image"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr


# The integration job's selection inside TC-018: the whole stack suite inside act would run the
# suite twice per .ci/run (over its 45 min budget); the full default run is the ci bench.
TC018_SELECTION = "tc001_health_json or tc004"
CI_PROJECT = "pawsci"


def _ci_leftovers() -> list[str]:
    """Containers and volumes of the local-CI project that still exist."""
    label = f"label=com.docker.compose.project={CI_PROJECT}"
    found: list[str] = []
    for kind in (["ps", "-aq"], ["volume", "ls", "-q"]):
        listed = subprocess.run(
            ["docker", *kind, "--filter", label], capture_output=True, text=True, check=True
        )
        found += listed.stdout.split()
    return found


def test_tc018_local_ci_default_run_green() -> None:
    """The default event runs every job of ci.yml green: lint, unit, and integration (on a
    selection through the PAWS_INTEGRATION_K variable), each one a nox session."""
    begin = time.monotonic()
    result = paws_ci("--var", f"PAWS_INTEGRATION_K={TC018_SELECTION}", timeout=1500)
    elapsed = time.monotonic() - begin
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    table = result.stdout.split("job ", 1)[1].split("CI parity", 1)[0]
    for job in ("ci/lint", "ci/unit", "ci/integration"):
        line = next(x for x in table.splitlines() if x.startswith(job + " "))
        assert " success " in line and line.split()[2].endswith("s")
    # Each job ran its nox session, and the integration job its selection, against project pawsci.
    for session in ("lint", "unit", "integration"):
        assert f"nox > Session {session} was successful" in result.stdout
    summary = re.search(r"\[ci/integration\].* (\d+) passed, (\d+) deselected", result.stdout)
    assert summary and int(summary[1]) >= 2, result.stdout[-3000:]
    assert " failed" not in summary[0]
    assert result.stdout.rstrip().splitlines()[-1].endswith("steps ran as on GitHub")
    # CI keeps nothing: the job's stack is gone with its volumes.
    assert _ci_leftovers() == []
    assert elapsed <= 900, f"took {elapsed:.0f} s"


def test_tc019_failing_step_named_nonzero_exit() -> None:
    """A failing step: non-zero exit; the summary names job `breaks` and its step."""
    result = paws_ci("-W", f"{FIXTURES}/failing.yml")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    breaks = next(x for x in lines if x.startswith("failing/breaks "))
    fine = next(x for x in lines if x.startswith("failing/fine "))
    assert " failure " in breaks and breaks.endswith("fail on purpose")
    assert " success " in fine


def test_tc020_secret_reaches_step_masked(tmp_path: Path) -> None:
    """The secret file's value reaches the step (hash matches) and never appears in output."""
    value = secrets.token_urlsafe(24)[:32]
    secret_file = tmp_path / "tc020.secrets"
    secret_file.write_text(f"TC020_SECRET={value}\n", "utf-8")
    expected = hashlib.sha256(value.encode()).hexdigest()
    result = paws_ci(
        "--secret-file",
        str(secret_file),
        "-W",
        f"{FIXTURES}/secret.yml",
        "--env",
        f"TC020_EXPECTED_SHA256={expected}",
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert value not in result.stdout + result.stderr
    assert "the secret is ***" in result.stdout
    for path in ARTIFACTS.rglob("*"):
        if path.is_file():
            assert value.encode() not in path.read_bytes()


def test_tc021_artifact_lands_in_paws_artifacts() -> None:
    """actions/upload-artifact@v4 (offline stand-in) stores the file under .paws/artifacts."""
    content = secrets.token_hex(32)
    before = set(ARTIFACTS.rglob("tc021.zip"))
    result = paws_ci("-W", f"{FIXTURES}/artifact.yml", "--env", f"TC021_CONTENT={content}")
    assert result.returncode == 0, result.stdout[-3000:]
    archives = sorted(ARTIFACTS.rglob("tc021/tc021.zip"), key=lambda p: p.stat().st_mtime)
    assert archives and (set(archives) - before or archives[-1].stat().st_mtime > 0)
    with zipfile.ZipFile(archives[-1]) as archive:
        stored = archive.read("tc021.txt")
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(content.encode()).hexdigest()


@pytest.mark.exclusive
def test_tc038_action_outputs_connect_lite() -> None:
    """./actions/paws-stack (lite) under act: SQL round-trip and PING on its outputs."""
    result = paws_ci("-W", f"{FIXTURES}/action-lite.yml")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "postgres: ('round-trip', 1)" in result.stdout
    assert "redis PING -> True" in result.stdout
    assert "action-lite/stack  success" in result.stdout


@pytest.mark.exclusive
def test_tc039_action_failure_reports_groups_masked() -> None:
    """wait-timeout 1: the step fails with the health report and logs in groups, masked."""
    result = paws_ci("-W", f"{FIXTURES}/action-fail.yml")
    assert result.returncode == 1
    out = result.stdout
    assert "start the stack too impatiently" in next(
        x for x in out.splitlines() if x.startswith("action-fail/stack ")
    )
    assert "::group::paws-stack health report" in out or "paws-stack health report" in out
    assert "last logs of" in out
    secrets_dir = ROOT / ".paws" / "ci" / "secrets"
    for path in (p for p in secrets_dir.glob("*") if not p.name.startswith(".")):
        assert path.read_text("utf-8").strip() not in out
