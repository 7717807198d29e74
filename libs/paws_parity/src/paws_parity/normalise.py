"""Canonical forms, so that equivalent values written differently compare equal.

`canonical(component, key, setting)` returns a hashable value; two settings are the same
when their canonical forms are equal. What the live sources do not tell us (which Redis
keys are sizes, which lists are unordered) comes from `data/catalogue.yaml`.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from . import units
from .model import Setting, Value

PER_MEMBER = "<per-member>"  # a value that differs between members of one environment


@dataclass(frozen=True)
class Catalogue:
    """The data file behind normalisation."""

    pg_unordered: frozenset[str] = frozenset()
    pg_ordered: frozenset[str] = frozenset()
    pg_enum_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    pg_boolean_enums: frozenset[str] = frozenset()
    redis_aliases: dict[str, str] = field(default_factory=dict)
    redis_value_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    redis_memory: frozenset[str] = frozenset()
    redis_enums: frozenset[str] = frozenset()
    redis_words: frozenset[str] = frozenset()
    redis_flags: frozenset[str] = frozenset()
    patroni_command_line: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The bundled catalogue, read once."""
    text = (resources.files("paws_parity") / "data" / "catalogue.yaml").read_text("utf-8")
    data: dict[str, Any] = YAML(typ="safe").load(text)
    pg, redis = data.get("postgresql") or {}, data.get("redis") or {}
    patroni = data.get("patroni") or {}
    return Catalogue(
        pg_unordered=frozenset(pg.get("unordered_lists", [])),
        pg_ordered=frozenset(pg.get("ordered_lists", [])),
        pg_enum_aliases=_lower_tables(pg.get("enum_aliases", {})),
        pg_boolean_enums=frozenset(pg.get("boolean_enums", [])),
        redis_aliases=dict(redis.get("aliases", {})),
        redis_value_aliases=_lower_tables(redis.get("value_aliases", {})),
        redis_memory=frozenset(redis.get("memory", [])),
        redis_enums=frozenset(redis.get("enums", [])),
        redis_words=frozenset(redis.get("unordered_words", [])),
        redis_flags=frozenset(redis.get("flag_sets", [])),
        patroni_command_line=frozenset(patroni.get("command_line_parameters", [])),
    )


def _lower_tables(tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {
        key: {str(old).lower(): str(new) for old, new in table.items()}
        for key, table in tables.items()
    }


def redis_key(key: str) -> str:
    """The current name of a Redis config key (`slave-read-only` -> `replica-read-only`)."""
    return catalogue().redis_aliases.get(key, key)


def generic(value: Value) -> Hashable:
    """Numbers by value, on/off/true/false/yes/no as booleans, lists in order, text trimmed."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Fraction(value)
    if isinstance(value, list):
        return tuple(generic(item) for item in value)
    text = value.strip()
    parts = units.split_number(text)
    if parts is not None and not parts[1]:
        return parts[0]
    flag = units.boolean(text, known=False)
    return text if flag is None else flag


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    return "" if value is None else str(value)


def _split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def is_pg_enum_with_aliases(key: str) -> bool:
    """Whether `key` is an enum some of whose values have other accepted names."""
    cat = catalogue()
    return key in cat.pg_enum_aliases or key in cat.pg_boolean_enums


def pg_enum(key: str, value: Value) -> str:
    """A PostgreSQL enum value by its current name: `wal_level = archive` -> `'replica'`.

    >>> pg_enum("wal_level", "hot_standby"), pg_enum("synchronous_commit", "yes")
    ('replica', 'on')
    """
    cat = catalogue()
    text = _text(value).strip().lower()
    if key in cat.pg_boolean_enums:
        flag = units.boolean(text, known=True)
        text = text if flag is None else ("on" if flag else "off")
    return cat.pg_enum_aliases.get(key, {}).get(text, text)


def redis_value(key: str, value: Value) -> Value:
    """A Redis value by its current name: `oom-score-adj yes` -> `relative`."""
    table = catalogue().redis_value_aliases.get(key)
    if table is None or not isinstance(value, str):
        return value
    return table.get(value.strip().lower(), value)


def postgresql(key: str, value: Value, unit: str | None, vartype: str | None) -> Hashable:
    """A PostgreSQL setting, read the way the server reads it."""
    if is_pg_enum_with_aliases(key):
        return pg_enum(key, value)
    if vartype == "bool" or isinstance(value, bool):
        flag = units.boolean(value, known=True)
        return generic(value) if flag is None else flag
    text = _text(value).strip()
    if vartype in ("integer", "real") or (vartype is None and isinstance(value, int | float)):
        quantity = units.pg_quantity(text, unit)
        return generic(value) if quantity is None else quantity
    if key in catalogue().pg_unordered:
        return frozenset(_split_list(text))
    if key in catalogue().pg_ordered:
        return tuple(_split_list(text))
    if vartype == "enum":
        return text.lower()
    if vartype is None:
        quantity = units.pg_quantity(text, unit)
        if quantity is not None and quantity[0] != "number":
            return quantity
    return generic(value)


def redis(key: str, value: Value) -> Hashable:
    """A Redis or Sentinel setting as CONFIG GET or redis.conf would write it."""
    cat = catalogue()
    text = _text(redis_value(key, value)).strip()
    if key == "save":
        return _redis_save(text)
    if key == "client-output-buffer-limit":
        return _redis_buffer_limits(text)
    if key in cat.redis_memory:
        size = units.redis_bytes(text)
        return generic(value) if size is None else Fraction(size)
    if key in cat.redis_enums:
        return text.lower()
    if key in cat.redis_words:
        return frozenset(text.split())
    if key in cat.redis_flags:
        return frozenset(text)
    return generic(value)


def _redis_save(text: str) -> Hashable:
    words = text.replace('"', "").split()
    if len(words) % 2:
        return text
    return frozenset(zip(words[::2], words[1::2], strict=True))


def _redis_buffer_limits(text: str) -> Hashable:
    words = text.split()
    if len(words) % 4:
        return text
    limits = set()
    for index in range(0, len(words), 4):
        name, hard, soft, seconds = words[index : index + 4]
        name = {"slave": "replica"}.get(name.lower(), name.lower())
        limits.add((name, units.redis_bytes(hard), units.redis_bytes(soft), generic(seconds)))
    return frozenset(limits)


def haproxy(key: str, value: Value) -> Hashable:
    """An HAProxy directive: timeouts in any unit, everything else word by word."""
    text = _text(value).strip()
    directive = key.rsplit(".", 1)[-1]
    if directive == "bind":  # `*:5432` and `:5432` both listen on every address
        text = " ".join(word[1:] if word.startswith("*:") else word for word in text.split())
    if directive.startswith("timeout ") or directive in ("hold", "inter"):
        time = units.haproxy_us(text)
        if time is not None:
            return time
    return tuple(generic(word) for word in text.split()) if " " in text else generic(text)


def compose_limit(key: str, value: Value) -> Hashable:
    """A compose resource limit: memory 1024-based, cpus by value."""
    text = _text(value).strip()
    if key == "memory":
        size = units.compose_bytes(text)
        return text if size is None else Fraction(size)
    return generic(value)


def canonical(component: str, key: str, setting: Setting, meta: Setting | None = None) -> Hashable:
    """The canonical form of `setting`; `meta` lends unit and vartype from the other side."""
    value = setting.value
    if value == PER_MEMBER:
        return PER_MEMBER
    unit = setting.unit or (meta.unit if meta else None)
    vartype = setting.vartype or (meta.vartype if meta else None)
    if component == "postgresql":
        return postgresql(key, value, unit, vartype)
    if component in ("redis", "sentinel"):
        return redis(key, value)
    if component == "haproxy":
        return haproxy(key, value)
    return generic(value)


_PG_MEMORY_DESC = sorted(units.PG_MEMORY.items(), key=lambda item: -item[1])
_PG_TIME_DESC = sorted(units.PG_TIME_US.items(), key=lambda item: -item[1])


def _pretty(amount: Fraction, scale: list[tuple[str, int]]) -> str:
    if amount <= 0:
        return str(amount)
    for name, size in scale:
        if (amount / size).denominator == 1:
            return f"{amount / size}{name}"
    return f"{float(amount / scale[-1][1]):g}{scale[-1][0]}"


def display(component: str, key: str, setting: Setting | None, meta: Setting | None) -> Value:
    """The value to show a person: PostgreSQL sizes and times in their largest exact unit."""
    if setting is None:
        return None
    if component in ("redis", "sentinel"):
        return redis_value(key, setting.value)
    if component == "postgresql" and is_pg_enum_with_aliases(key):
        return pg_enum(key, setting.value)
    if component == "postgresql":
        form = canonical(component, key, setting, meta)
        if isinstance(form, tuple) and len(form) == 2 and form[0] in ("mem", "time"):
            if form[1] <= 0:  # -1 and 0 mean "off" or "default": shown as written
                return setting.value
            scale = _PG_MEMORY_DESC if form[0] == "mem" else _PG_TIME_DESC
            return _pretty(form[1], scale)
    return setting.value
