"""The data: a versioned snapshot of one environment, and the findings of comparing two."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION: Literal[1] = 1

Scalar = str | int | float | bool
Value = Scalar | list[Scalar] | None

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class Severity(str, Enum):
    """How much a finding matters; ordered from worst to least."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Kind(str, Enum):
    """What sort of difference a finding is."""

    STRUCTURAL = "structural"  # present on one side only: component, member, key, service
    RUNTIME = "runtime"  # a configured value differs after normalisation
    SEMANTIC = "semantic"  # judged under a policy: versions, synchronous mode, quorum


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Setting(_Strict):
    """One setting; a bare scalar in a file is shorthand for `{value: scalar}`."""

    value: Value = None
    unit: str | None = None
    vartype: Literal["bool", "integer", "real", "string", "enum"] | None = None
    context: str | None = None
    source: str | None = None  # pg_settings.source: `default` means the built-in default
    origin: str | None = None  # where an imported setting was read: `postgresql.conf:12`

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        return {"value": data}

    def compact(self) -> Any:
        """The shortest form that reads back as this setting."""
        if (self.unit, self.vartype, self.context, self.source, self.origin) == (None,) * 5:
            return self.value
        return self.model_dump(exclude_none=True)


class Topology(_Strict):
    """Member counts per component and the HA guarantees that matter most."""

    members: dict[str, int] = Field(default_factory=dict)
    synchronous_mode: bool | None = None
    sentinel_quorum: int | None = None


class Service(_Strict):
    """One compose service as far as parity cares."""

    image: str | None = None
    networks: list[str] = Field(default_factory=list)
    volumes: list[str] = Field(default_factory=list)
    ports: list[str] = Field(default_factory=list)
    limits: dict[str, str] = Field(default_factory=dict)


class Structure(_Strict):
    """The compose-level shape: services, networks, volumes."""

    services: dict[str, Service] = Field(default_factory=dict)
    networks: list[str] = Field(default_factory=list)
    volumes: list[str] = Field(default_factory=list)


class Snapshot(_Strict):
    """A serialisable, versioned description of one environment."""

    schema_version: Literal[1] = Field(default=SCHEMA_VERSION, alias="schema")
    name: str
    collected_at: datetime | None = None
    source: str = ""
    versions: dict[str, str] = Field(default_factory=dict)
    topology: Topology = Field(default_factory=Topology)
    settings: dict[str, dict[str, Setting]] = Field(default_factory=dict)
    partial: list[str] = Field(default_factory=list)
    structure: Structure | None = None
    app_env: dict[str, list[str]] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("app_env")
    @classmethod
    def _names_only(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        for service, names in (value or {}).items():
            for name in names:
                if not _ENV_NAME.match(name):
                    # Never echo the entry: it may hold a secret value.
                    raise ValueError(f"app_env.{service} must list variable names only")
        return value

    def to_document(self) -> dict[str, Any]:
        """A plain dict for YAML or JSON, settings in their compact form."""
        doc = self.model_dump(mode="json", by_alias=True, exclude={"settings"})
        doc["settings"] = {
            component: {key: setting.compact() for key, setting in sorted(values.items())}
            for component, values in sorted(self.settings.items())
        }
        order = [
            "schema", "name", "collected_at", "source", "versions", "topology",
            "partial", "settings", "structure", "app_env",
        ]  # fmt: skip
        return {key: doc[key] for key in order if doc.get(key) not in (None, [])}


@dataclass(frozen=True, slots=True)
class Difference:
    """A raw difference between two snapshots, before rules give it a severity."""

    component: str
    key: str
    local: Value
    target: Value
    kind: Kind
    change: str = ""  # for versions: major, minor or patch
    context: str | None = None  # pg_settings context, when known
    dcs_managed: bool = False  # a PostgreSQL parameter that Patroni's DCS sets
    release_only: bool = False  # a built-in default that exists in one server release only
    removed_in: str = ""  # a PostgreSQL parameter that server release removed, no successor
    note: str = ""  # what a retired (renamed or removed) parameter was read as
    origin: str = ""  # where an imported setting was read (`postgresql.conf:12`), either side


@dataclass(frozen=True, slots=True)
class Finding:
    """A difference judged by the rules and waivers."""

    component: str
    key: str
    local: Value
    target: Value
    kind: Kind
    severity: Severity
    reason: str
    remediation: str
    restart_required: bool
    waived: bool = False
    waiver_reason: str = ""
    note: str = ""
    origin: str = ""  # the file and line an imported setting came from

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "key": self.key,
            "local": self.local,
            "target": self.target,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "reason": self.reason,
            "waived": self.waived,
            "waiver_reason": self.waiver_reason,
            "remediation": self.remediation,
            "restart_required": self.restart_required,
            "note": self.note,
            "origin": self.origin,
        }
