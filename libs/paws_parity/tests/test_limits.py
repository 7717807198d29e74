"""Caps on what we read: an alias bomb or a huge file is refused at once, with one message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from paws_parity import limits
from paws_parity.errors import SnapshotError
from paws_parity.snapshots import bundled_snapshot, read_snapshot


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """`levels` lists of `width` aliases of the list before: width**levels nodes, ~440 bytes."""
    lines = [f"a0: &a0 [{','.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{','.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


class TestAliasBomb:
    def test_bomb_snapshot_is_refused_fast(self, tmp_path: Path) -> None:
        """The 440-byte nested-alias snapshot is an input error within a second, not minutes."""
        path = tmp_path / "bomb.yaml"
        path.write_text(alias_bomb(), "utf-8")
        started = time.monotonic()
        with pytest.raises(SnapshotError) as caught:
            read_snapshot(path)
        assert time.monotonic() - started < 1.0
        assert caught.value.message == (
            f"{path}: too large to read: more than {limits.MAX_NODES} nodes once its aliases "
            "are expanded"
        )
        assert "aliases" in caught.value.remediation

    def test_few_aliases_are_fine(self) -> None:
        """Aliases as such are allowed: a small expansion is counted, not refused."""
        from ruamel.yaml import YAML

        assert limits.expanded_nodes(YAML(typ="safe").parse(alias_bomb(3, 3))) < 100

    def test_bundled_staging_is_far_below_the_cap(self) -> None:
        """The real snapshot loads: the cap is two orders of magnitude above it."""
        assert bundled_snapshot().name


class TestSize:
    def test_huge_file_is_refused_before_reading(self, tmp_path: Path) -> None:
        """A file over the byte cap is refused by its size, naming the limit."""
        path = tmp_path / "big.json"
        with path.open("wb") as handle:
            handle.truncate(limits.MAX_BYTES + 1)
        with pytest.raises(SnapshotError, match=f"more than the limit of {limits.MAX_BYTES}"):
            read_snapshot(path)
