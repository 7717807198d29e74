"""Builders shared by the tests: real-output settings and small snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paws_parity.model import Setting, Snapshot

FIXTURES = Path(__file__).parent / "fixtures"


def pg_setting(rows: dict[str, dict[str, Any]], name: str, value: str | None = None) -> Setting:
    """A PostgreSQL setting as the collector builds it, optionally with another value."""
    row = rows[name]
    return Setting(
        value=row["setting"] if value is None else value,
        unit=row["unit"],
        vartype=row["vartype"],
        context=row["context"],
    )


def snapshot(name: str = "local", **fields: Any) -> Snapshot:
    """A snapshot from keyword fields, settings given as plain values or Settings."""
    settings = {
        component: {k: v if isinstance(v, Setting) else Setting(value=v) for k, v in values.items()}
        for component, values in fields.pop("settings", {}).items()
    }
    return Snapshot(name=name, settings=settings, **fields)


def plant(base: Snapshot, component: str, key: str, value: Any) -> Snapshot:
    """A copy of `base` with one setting replaced (keeping its unit, vartype and context)."""
    old = base.settings.get(component, {}).get(key)
    new = old.model_copy(update={"value": value}) if old else Setting(value=value)
    settings = {**base.settings, component: {**base.settings.get(component, {}), key: new}}
    return base.model_copy(update={"settings": settings})
