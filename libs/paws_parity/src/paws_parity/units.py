"""Quantities written in different units, parsed exactly (fractions, no floats, no pint).

PostgreSQL memory units are 1024-based and a setting's base unit may be a multiple (`8kB`);
Redis sizes are 1000-based with `k`/`m`/`g` but 1024-based with `kb`/`mb`/`gb`;
HAProxy times default to milliseconds; compose memory limits are 1024-based.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

KIB = 1024
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")

PG_MEMORY = {"B": 1, "kB": KIB, "MB": KIB**2, "GB": KIB**3, "TB": KIB**4}
PG_TIME_US = {"us": 1, "ms": 1000, "s": 10**6, "min": 60 * 10**6, "h": 3600 * 10**6}
PG_TIME_US["d"] = 24 * PG_TIME_US["h"]
REDIS_MEMORY = {
    "": 1, "b": 1,
    "k": 1000, "kb": KIB,
    "m": 1000**2, "mb": KIB**2,
    "g": 1000**3, "gb": KIB**3,
}  # fmt: skip
HAPROXY_TIME_US = {"us": 1, "ms": 1000, "s": 10**6, "m": 60 * 10**6, "h": 3600 * 10**6}
HAPROXY_TIME_US["d"] = 24 * HAPROXY_TIME_US["h"]
COMPOSE_MEMORY = {"": 1, "b": 1, "k": KIB, "kb": KIB, "m": KIB**2, "mb": KIB**2}
COMPOSE_MEMORY |= {"g": KIB**3, "gb": KIB**3, "t": KIB**4, "tb": KIB**4}

TRUE_WORDS = frozenset({"on", "true", "yes"})
FALSE_WORDS = frozenset({"off", "false", "no"})
# Accepted only where the key is known to be boolean (PostgreSQL also takes 1/0 and t/f/y/n).
KNOWN_TRUE = TRUE_WORDS | {"1", "t", "y"}
KNOWN_FALSE = FALSE_WORDS | {"0", "f", "n"}


@functools.lru_cache(maxsize=16384)
def split_number(text: str) -> tuple[Fraction, str] | None:
    """`'128 MB'` -> `(Fraction(128), 'MB')`; None when the text is not number-and-unit."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    number = match.group(1)
    if number.lstrip("+-").isdigit():
        return Fraction(int(number)), match.group(2)  # far faster than parsing a string
    return Fraction(number), match.group(2)


def _pg_unit(unit: str) -> tuple[str, Fraction] | None:
    """`'8kB'` -> `('mem', 8192)`, `'min'` -> `('time', 60e6)`; None for unknown units."""
    if unit in PG_TIME_US:
        return "time", Fraction(PG_TIME_US[unit])
    parts = split_number(unit) if unit[:1].isdigit() else (Fraction(1), unit)
    if parts is None:
        return None
    factor, name = parts
    for known, size in PG_MEMORY.items():
        if name.lower() == known.lower():
            return "mem", factor * size
    return None


@functools.lru_cache(maxsize=16384)
def pg_quantity(value: str, base_unit: str | None) -> tuple[str, Fraction] | None:
    """A PostgreSQL numeric setting as `(dimension, amount in bytes or microseconds)`.

    A bare number is a count of `base_unit` (`16384` with `8kB` is 128 MiB), as PostgreSQL
    reads it; an explicit unit wins. None when the value is not a quantity we understand.
    """
    parts = split_number(value)
    if parts is None:
        return None
    number, unit = parts
    if not unit:
        if not base_unit:
            return "number", number
        base = _pg_unit(base_unit)
        return None if base is None else (base[0], number * base[1])
    explicit = _pg_unit(unit)
    if explicit is None:
        return None
    if base_unit:
        base = _pg_unit(base_unit)
        if base is not None and base[0] != explicit[0]:
            return None  # a time written for a memory setting: not comparable, keep raw
    return explicit[0], number * explicit[1]


def redis_bytes(value: str) -> int | None:
    """A Redis memory size in bytes: `1k` is 1000, `1kb` is 1024; None when not a size."""
    parts = split_number(value)
    if parts is None or parts[1].lower() not in REDIS_MEMORY:
        return None
    amount = parts[0] * REDIS_MEMORY[parts[1].lower()]
    return int(amount) if amount.denominator == 1 else None


def compose_bytes(value: str) -> int | None:
    """A compose/docker memory size (`128M`, `1g`, 1024-based) in bytes."""
    parts = split_number(value)
    if parts is None or parts[1].lower() not in COMPOSE_MEMORY:
        return None
    return int(parts[0] * COMPOSE_MEMORY[parts[1].lower()])


def haproxy_us(value: str) -> Fraction | None:
    """An HAProxy time (`2s`, `500ms`, bare numbers are ms) in microseconds."""
    parts = split_number(value)
    if parts is None:
        return None
    number, unit = parts
    if not unit:
        return number * 1000
    factor = HAPROXY_TIME_US.get(unit.lower())
    return None if factor is None else number * factor


def boolean(value: object, *, known: bool = True) -> bool | None:
    """on/off/true/false/yes/no as a bool (also 1/0/t/f/y/n when `known`); None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and known and value in (0, 1):
        return bool(value)
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    if word in (KNOWN_TRUE if known else TRUE_WORDS):
        return True
    if word in (KNOWN_FALSE if known else FALSE_WORDS):
        return False
    return None
