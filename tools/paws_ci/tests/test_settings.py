"""paws_ci.settings: the local-CI stack's ports never meet another stack's, or a random one."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from paws_stack.settings import StackSettings

from paws_ci.settings import CI_STACK_DEFAULTS, CiSettings

REPO = Path(__file__).resolve().parents[3]
EPHEMERAL_START = 32768  # Linux's default ip_local_port_range starts here
SCRATCH_OFFSETS = range(100, 600, 100)  # what tests/helpers.scratch_env adds


def _ports(values: dict[str, str]) -> dict[str, int]:
    return {k: int(v) for k, v in values.items() if k.endswith("_PORT")}


def _test_stack_ports() -> dict[str, int]:
    lines = (REPO / "tests" / "stack.env").read_text("utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return _ports({key: value for key, value in pairs})


def _developer_ports() -> set[int]:
    fields = StackSettings.model_fields
    return {int(f.default) for name, f in fields.items() if name.endswith("_port")}


def test_ci_ports_meet_neither_the_developer_nor_the_test_stack() -> None:
    """Local CI runs beside both: not one port in common."""
    ci = set(_ports(CI_STACK_DEFAULTS).values())
    assert ci.isdisjoint(_developer_ports())
    assert ci.isdisjoint(_test_stack_ports().values())


def test_ci_ports_stay_below_the_ephemeral_range_with_scratch_offsets() -> None:
    """Even shifted by the tests' scratch offsets, no port is one the kernel hands out."""
    for port in _ports(CI_STACK_DEFAULTS).values():
        assert port + max(SCRATCH_OFFSETS) < EPHEMERAL_START, port


def test_no_two_ci_ports_collide_once_shifted() -> None:
    """A scratch project (port + offset) never lands on the job's own stack's ports."""
    for a, b in combinations(_ports(CI_STACK_DEFAULTS).values(), 2):
        assert abs(a - b) not in SCRATCH_OFFSETS, (a, b)


def test_jobs_get_the_same_ports_for_the_tests(tmp_path: Path) -> None:
    """PAWS_TEST_* mirror PAWS_*, so `nox -s integration` in a job uses the CI project."""
    settings = CiSettings.load(tmp_path, environ={})
    for name, value in CI_STACK_DEFAULTS.items():
        assert settings.job_env[name] == value
        assert settings.job_env["PAWS_TEST_" + name.removeprefix("PAWS_")] == value
