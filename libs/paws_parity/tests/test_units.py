"""Exact unit arithmetic: PostgreSQL, Redis, HAProxy and compose quantities."""

from __future__ import annotations

from fractions import Fraction

import pytest

from paws_parity import units

MIB = 1024**2


class TestPostgresQuantities:
    @pytest.mark.parametrize(
        ("value", "base", "expected"),
        [
            ("16384", "8kB", ("mem", 128 * MIB)),
            ("128MB", "8kB", ("mem", 128 * MIB)),
            ("131072kB", "8kB", ("mem", 128 * MIB)),
            ("128 MB", None, ("mem", 128 * MIB)),
            ("1GB", "kB", ("mem", 1024 * MIB)),
            ("1024", "MB", ("mem", 1024 * MIB)),
            ("16777216", "B", ("mem", 16 * MIB)),
            ("300", "s", ("time", 300 * 10**6)),
            ("5min", "s", ("time", 300 * 10**6)),
            ("1440", "min", ("time", 86400 * 10**6)),
            ("1d", "min", ("time", 86400 * 10**6)),
            ("2", "ms", ("time", 2000)),
            ("0.5", "ms", ("time", 500)),
            ("1h", "ms", ("time", 3600 * 10**6)),
            ("0.9", None, ("number", Fraction(9, 10))),
        ],
    )
    def test_quantity(self, value: str, base: str | None, expected: tuple[str, int]) -> None:
        """Bare numbers count base units; explicit units are 1024-based (memory) or exact (time)."""
        assert units.pg_quantity(value, base) == (expected[0], Fraction(expected[1]))

    def test_unknown_unit_is_not_a_quantity(self) -> None:
        """A unit PostgreSQL does not know is left alone rather than guessed."""
        assert units.pg_quantity("12 parsecs", "kB") is None

    def test_time_for_a_memory_setting_is_not_a_quantity(self) -> None:
        """A value in the wrong dimension is not silently converted."""
        assert units.pg_quantity("5s", "8kB") is None


class TestRedisSizes:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("1k", 1000), ("1kb", 1024), ("1KB", 1024), ("1m", 10**6), ("1mb", MIB),
         ("1g", 10**9), ("1gb", 1024**3), ("268435456", 268435456), ("0", 0), ("1b", 1)],
    )  # fmt: skip
    def test_size(self, value: str, expected: int) -> None:
        """k/m/g are powers of 1000, kb/mb/gb powers of 1024, as Redis memtoull reads them."""
        assert units.redis_bytes(value) == expected

    def test_not_a_size(self) -> None:
        """Words are not sizes."""
        assert units.redis_bytes("noeviction") is None


class TestOtherUnits:
    @pytest.mark.parametrize(("value", "us"), [("2s", 2 * 10**6), ("2000", 2 * 10**6),
                                                ("500ms", 500_000), ("30m", 1800 * 10**6)])  # fmt: skip
    def test_haproxy_time(self, value: str, us: int) -> None:
        """HAProxy times default to milliseconds."""
        assert units.haproxy_us(value) == us

    @pytest.mark.parametrize(("value", "size"), [("128M", 128 * MIB), ("1g", 1024 * MIB),
                                                  ("134217728", 128 * MIB)])  # fmt: skip
    def test_compose_memory(self, value: str, size: int) -> None:
        """Compose memory limits are 1024-based."""
        assert units.compose_bytes(value) == size


class TestBooleans:
    @pytest.mark.parametrize("word", ["on", "ON", "true", "yes", "1", "t", "y", True, 1])
    def test_true_words(self, word: object) -> None:
        """Every spelling PostgreSQL accepts for true reads as True."""
        assert units.boolean(word) is True

    @pytest.mark.parametrize("word", ["off", "false", "NO", "0", "f", "n", False, 0])
    def test_false_words(self, word: object) -> None:
        """Every spelling PostgreSQL accepts for false reads as False."""
        assert units.boolean(word) is False

    def test_digits_are_not_booleans_for_unknown_keys(self) -> None:
        """Without knowing a key is boolean, 1 stays a number."""
        assert units.boolean("1", known=False) is None
        assert units.boolean("yes", known=False) is True
