"""Waivers: intentional divergences listed in the user's `parity-waivers.yaml`."""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .documents import read_model
from .errors import WaiverError
from .model import Finding

_FIX = "each waiver needs `key` and a non-empty `reason`; `expires` is a date like 2025-12-31"


class Waiver(BaseModel):
    """One intentional divergence: which findings it covers, why, and until when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    component: str = "*"
    key: str = Field(min_length=1)
    reason: str
    expires: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_component(cls, data: object) -> object:
        # `key: "postgresql:shared_buffers"` is shorthand for component + key.
        if isinstance(data, dict) and "component" not in data and ":" in str(data.get("key")):
            component, _, key = str(data["key"]).partition(":")
            return {**data, "component": component, "key": key}
        return data

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a waiver needs a reason")
        return value.strip()

    @property
    def pattern(self) -> str:
        return f"{self.component}:{self.key}"

    def covers(self, finding: Finding) -> bool:
        return fnmatch.fnmatchcase(finding.component, self.component) and fnmatch.fnmatchcase(
            finding.key, self.key
        )

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires


class Waivers(BaseModel):
    """A whole waivers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: list[Waiver] = Field(default_factory=list)


def load_waivers(path: str | Path, *, required: bool = False) -> Waivers:
    """Read a waivers file; a missing file is no waivers unless `required`."""
    file = Path(path)
    if not file.exists() and not required:
        return Waivers()
    return read_model(Waivers, file, error=WaiverError, fix=_FIX)


@dataclasses.dataclass(frozen=True)
class WaiverOutcome:
    """Findings with waivers applied, and what happened to the waivers themselves."""

    findings: list[Finding]
    expired: list[Waiver]
    unused: list[Waiver]


def apply_waivers(
    findings: Iterable[Finding], waivers: Waivers, today: date | None = None
) -> WaiverOutcome:
    """Mark covered findings waived; an expired waiver stops applying and says so."""
    today = today or date.today()
    live = [w for w in waivers.waivers if not w.expired(today)]
    expired = [w for w in waivers.waivers if w.expired(today)]
    used: set[int] = set()
    result = []
    for finding in findings:
        waiver = next((w for w in live if w.covers(finding)), None)
        if waiver is not None:
            used.add(id(waiver))
            finding = dataclasses.replace(finding, waived=True, waiver_reason=waiver.reason)
        else:
            stale = next((w for w in expired if w.covers(finding)), None)
            if stale is not None:
                used.add(id(stale))
                note = f"waiver {stale.pattern!r} expired on {stale.expires}: {stale.reason}"
                note = f"{finding.note}; {note}" if finding.note else note
                finding = dataclasses.replace(finding, note=note)
        result.append(finding)
    unused = [w for w in live if id(w) not in used]
    return WaiverOutcome(result, expired, unused)
