"""Live, read-only collectors: each returns what it read, or raises CollectorError."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Setting


@dataclass
class Collected:
    """What one collector read from one component."""

    component: str
    settings: dict[str, Setting] = field(default_factory=dict)
    version: str | None = None
    members: int | None = None
    synchronous_mode: bool | None = None
    sentinel_quorum: int | None = None
