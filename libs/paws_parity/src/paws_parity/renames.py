"""PostgreSQL parameters removed or renamed between major versions, read from data.

A snapshot written for an older server may name `checkpoint_segments`; PostgreSQL 15 has
`max_wal_size` instead. `retire()` rewrites such settings into what the newer server has
(converting the value where the release notes say how) and says what it did, so that the
comparison never offers a fix for a parameter the server no longer knows.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict
from ruamel.yaml import YAML

from . import units
from .model import Setting, Snapshot
from .versions import release

WAL_SEGMENT = Fraction(16 * units.KIB**2)  # the default wal_segment_size, in bytes


class Retired(BaseModel):
    """One removed or renamed parameter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    removed_in: str
    successor: str | None = None
    per: Literal["wal_segment"] | None = None
    factor: int = 1
    note: str = ""


@functools.lru_cache(maxsize=1)
def table() -> dict[str, Retired]:
    """The bundled table, by old name."""
    text = (resources.files("paws_parity") / "data" / "pg_renames.yaml").read_text("utf-8")
    data = YAML(typ="safe").load(text) or {}
    return {name: Retired(**entry) for name, entry in (data.get("parameters") or {}).items()}


@dataclass(frozen=True)
class Retirement:
    """What was done with one retired setting on one side."""

    name: str
    value: str
    entry: Retired
    successor: str | None = None  # the name it was read as, when it has one
    converted: str | None = None  # the successor's value, when converted
    shadowed: bool = False  # the side also sets the successor, which wins
    component: str = "postgresql"
    prefix: str = ""  # `postgresql.parameters.` for Patroni's DCS keys
    side: str = ""  # the side that wrote it: local or target
    origin: str = ""  # where an imported file set it (`postgresql.conf:5`)

    @property
    def key(self) -> str:
        return self.prefix + self.name

    @property
    def successor_key(self) -> str | None:
        return None if self.successor is None else self.prefix + self.successor

    def describe(self) -> str:
        """One sentence: what the side wrote and what PostgreSQL made of it."""
        side, release_ = self.side or "snapshot", self.entry.removed_in
        said = f"the {side} sets {self.key} = {self.value}, which PostgreSQL {release_}"
        if self.successor is None:
            why = f" ({self.entry.note})" if self.entry.note else ""
            return f"{said} removed{why}"
        if self.shadowed:
            return (
                f"{said} replaced with {self.successor}, which the {side} also sets: "
                "that one is used"
            )
        if self.converted is None:
            return (
                f"{said} replaced with {self.successor}; {self.value!r} is not a number of "
                f"segments: set {self.successor} yourself"
            )
        if self.entry.per == "wal_segment":
            how = f"{self.entry.factor} x {self.value} WAL segments = {self.converted}"
            new = f"{self.successor} = {self.converted}"
            return f"{said} replaced with {self.successor}: read as {new} ({how})"
        return f"{said} renamed to {self.successor}: read as {self.successor} = {self.value}"


def applies(name: str, version: str | None) -> Retired | None:
    """The entry for `name` when a server of `version` no longer has it.

    An unknown version never retires anything: a 15 setting is not "removed" by a target
    that does not say which release it describes.
    """
    entry = table().get(name)
    if entry is None or not version:
        return None
    have, removed = release(version), release(entry.removed_in)
    if have is None or removed is None or have < removed:
        return None
    return entry


def _segment_bytes(settings: dict[str, Setting]) -> Fraction:
    setting = settings.get("wal_segment_size")
    if setting is None or setting.value is None:
        return WAL_SEGMENT
    quantity = units.pg_quantity(str(setting.value), setting.unit or "B")
    return quantity[1] if quantity and quantity[0] == "mem" else WAL_SEGMENT


def _convert(entry: Retired, value: str, settings: dict[str, Setting]) -> str | None:
    if entry.per is None:
        return value
    parts = units.split_number(value)
    if parts is None or parts[1] or parts[0].denominator != 1:
        return None
    size = entry.factor * parts[0] * _segment_bytes(settings)
    for unit in ("TB", "GB", "MB", "kB"):
        if (size / units.PG_MEMORY[unit]).denominator == 1:
            return f"{size / units.PG_MEMORY[unit]}{unit}"
    return f"{size}B"


def _final(first: Retired, version: str | None) -> tuple[str | None, Retired]:
    """The last successor the server still has, and the last entry on the way there.

    A chain: `trigger_file` became `promote_trigger_file` in 12, which 16 removed.
    """
    successor, last = first.successor, first
    while successor is not None and (entry := applies(successor, version)) is not None:
        successor, last = entry.successor, entry
    return successor, last


def retire(
    settings: dict[str, Setting], others: set[str], version: str | None
) -> tuple[dict[str, Setting], list[Retirement]]:
    """`settings` as a server of `version` reads them, and what was retired.

    Only settings the other side lacks (`others` are its names) are touched: a name both sides
    report is a parameter both servers still have.
    """
    result = dict(settings)
    done = []
    for name in sorted(settings):
        entry = applies(name, version)
        if name in others or entry is None or settings[name].source == "default":
            continue  # a built-in default is a release difference (compare._release_only)
        successor, last = _final(entry, version)
        setting = result.pop(name)
        value = "" if setting.value is None else str(setting.value)
        if successor is None:
            done.append(Retirement(name, value, last, origin=setting.origin or ""))
        elif successor in settings:
            done.append(Retirement(name, value, entry, successor, shadowed=True))
        else:
            converted = _convert(entry, value, settings)
            if converted is None:  # said, not guessed
                done.append(Retirement(name, value, entry, successor))
                continue
            result[successor] = Setting(value=converted, origin=setting.origin)
            done.append(Retirement(name, value, entry, successor, converted))
    return result, done


DCS_PREFIX = "postgresql.parameters."


def _dcs(settings: dict[str, Setting]) -> dict[str, Setting]:
    return {k[len(DCS_PREFIX) :]: v for k, v in settings.items() if k.startswith(DCS_PREFIX)}


def _retire_side(
    mine: Snapshot, other: Snapshot, side: str
) -> tuple[dict[str, dict[str, Setting]], list[Retirement]]:
    settings = dict(mine.settings)
    version = other.versions.get("postgresql")
    done: list[Retirement] = []
    if "postgresql" in settings:
        others = set(other.settings.get("postgresql", {}))
        settings["postgresql"], found = retire(settings["postgresql"], others, version)
        done += [dataclasses.replace(r, side=side) for r in found]
    if "patroni" in settings:
        patroni = settings["patroni"]
        others = set(_dcs(other.settings.get("patroni", {}))) | set(
            other.settings.get("postgresql", {})
        )
        params, found = retire(_dcs(patroni), others, version)
        rest = {k: v for k, v in patroni.items() if not k.startswith(DCS_PREFIX)}
        settings["patroni"] = rest | {DCS_PREFIX + k: v for k, v in params.items()}
        done += [
            dataclasses.replace(r, side=side, component="patroni", prefix=DCS_PREFIX) for r in found
        ]
    return settings, done


def retire_snapshots(
    local: Snapshot, target: Snapshot
) -> tuple[Snapshot, Snapshot, list[Retirement]]:
    """Both snapshots as the other side's server reads them, and every retirement done."""
    mine, done_local = _retire_side(local, target, "local")
    theirs, done_target = _retire_side(target, local, "target")
    if not done_local and not done_target:
        return local, target, []
    local = local.model_copy(update={"settings": mine})
    target = target.model_copy(update={"settings": theirs})
    return local, target, done_local + done_target
