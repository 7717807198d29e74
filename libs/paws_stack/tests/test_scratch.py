"""Tests for paws_stack._scratch: each image build works in a directory of its own."""

from __future__ import annotations

from pathlib import Path

from paws_stack._scratch import scratch_dir


def test_two_builds_get_different_directories(tmp_path: Path) -> None:
    """Concurrent builds never share (and so never remove) each other's root filesystem."""
    with scratch_dir(tmp_path) as first, scratch_dir(tmp_path) as second:
        (first / "rootfs").mkdir()
        (second / "rootfs").mkdir()
        assert first != second and first.parent == second.parent == tmp_path
    assert list(tmp_path.iterdir()) == [], "both directories are removed afterwards"


def test_directory_is_removed_after_a_failure(tmp_path: Path) -> None:
    """A failed build leaves no half-built root filesystem behind."""
    try:
        with scratch_dir(tmp_path / "build") as work:
            (work / "rootfs" / "etc").mkdir(parents=True)
            raise RuntimeError("debootstrap failed")
    except RuntimeError:
        pass
    assert list((tmp_path / "build").iterdir()) == []
