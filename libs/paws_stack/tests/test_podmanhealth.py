"""Tests for paws_stack.podmanhealth: the schedule, the interval, the single-pump lock."""

from __future__ import annotations

from pathlib import Path

from _fakes import engine

from paws_stack import podmanhealth
from paws_stack.podmanhealth import Schedule


class TestSchedule:
    def test_each_container_at_its_own_interval(self) -> None:
        """A 2 s check runs at 0, 2 and 4 s; a 5 s one at 0 and 5 s."""
        schedule, intervals = Schedule(), {"a": 2.0, "b": 5.0}
        ran = {t: schedule.due(intervals, float(t)) for t in range(6)}
        assert ran == {0: ["a", "b"], 1: [], 2: ["a"], 3: [], 4: ["a"], 5: ["b"]}

    def test_a_restarted_container_is_checked_at_once(self) -> None:
        """A container that left the running set is forgotten: back, it is due again."""
        schedule = Schedule()
        schedule.due({"a": 10.0}, 0.0)
        assert schedule.due({}, 1.0) == []
        assert schedule.due({"a": 10.0}, 2.0) == ["a"]


class TestInterval:
    def test_interval_from_inspect_in_seconds(self) -> None:
        """libpod reports nanoseconds."""
        inspected = {
            "Config": {"Healthcheck": {"Test": ["CMD", "true"], "Interval": 2_000_000_000}}
        }
        assert podmanhealth.healthcheck_interval(inspected) == 2.0

    def test_no_healthcheck_or_none(self) -> None:
        """No healthcheck, or `NONE` (disabled), is not scheduled."""
        assert podmanhealth.healthcheck_interval({"Config": {}}) is None
        disabled = {"Config": {"Healthcheck": {"Test": ["NONE"]}}}
        assert podmanhealth.healthcheck_interval(disabled) is None


class TestSinglePump:
    def test_lock_is_exclusive(self, tmp_path: Path) -> None:
        """While one holder has the lock, a second sees it taken; after, it is free again."""
        lock = podmanhealth.lock_path(tmp_path / "podman.sock")
        with podmanhealth.held_lock(lock) as first:
            assert first is not None
            with podmanhealth.held_lock(lock) as second:
                assert second is None
        with podmanhealth.held_lock(lock) as again:
            assert again is not None

    def test_a_running_pump_is_not_started_twice(self, tmp_path: Path) -> None:
        """ensure_pump starts nothing while the lock is held."""
        socket = tmp_path / "podman.sock"
        with podmanhealth.held_lock(podmanhealth.lock_path(socket)):
            assert not podmanhealth.ensure_pump(f"unix://{socket}", tmp_path / "log")
        assert not (tmp_path / "log").exists()

    def test_remote_and_docker_engines_get_no_pump(self, tmp_path: Path) -> None:
        """An ssh:// podman has its own init system; docker runs its own healthchecks."""
        assert not podmanhealth.ensure_pump("ssh://dev@box", tmp_path / "log")
        said: list[str] = []
        podmanhealth.serve(engine(), tmp_path, said.append)
        assert said == []
        assert not (tmp_path / podmanhealth.LOG_FILE).exists()
