"""Scenarios are data: one YAML file each, shipped in the package (`paws_chaos/scenarios/`).

>>> sorted(s.name for s in list_scenarios())[:3]
['etcd-member-failure', 'etcd-quorum-loss', 'leader-freeze']
>>> load_scenario("patroni-leader-failure").steps[0].fault
'kill'
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ScenarioError
from .limits import TooLarge, check_size, check_text

FaultKind = Literal[
    "kill", "stop", "pause", "disconnect", "isolate", "stop_members", "switchover", "netem"
]
Workload = Literal["postgres", "redis"]
# kind.role: which member a fault hits, chosen from the steady-state health report.
TARGETS = (
    "patroni.leader",
    "patroni.sync_standby",
    "patroni.replica",
    "redis.master",
    "redis.replica",
    "sentinel.any",
    "etcd.leader",
    "etcd.follower",
    "etcd.any",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    """One fault, injected `delay_s` after the previous one."""

    fault: FaultKind
    target: str
    count: int = Field(default=1, ge=1, le=3)
    peers: list[Literal["etcd", "patroni", "redis", "sentinel"]] = Field(default_factory=list)
    network: str = "infra"
    delay_s: float = Field(default=0.0, ge=0, le=120)
    delay_ms: int = Field(default=0, ge=0)
    loss_pct: float = Field(default=0.0, ge=0, le=100)

    @model_validator(mode="after")
    def _known_target(self) -> Step:
        if self.target not in TARGETS:
            raise ValueError(f"unknown target {self.target!r}; choose from {', '.join(TARGETS)}")
        if self.fault == "isolate" and not self.peers:
            raise ValueError("an isolate step needs `peers` (kinds to cut the target off from)")
        return self


class Hold(_Strict):
    """How long the faults stay: until a new leader/master is seen, then `seconds` +
    `ttls` x Patroni's ttl (read from the live /config)."""

    until: Literal["none", "new_leader", "new_master"] = "none"
    seconds: float = Field(default=0.0, ge=0, le=600)
    ttls: float = Field(default=0.0, ge=0, le=10)
    timeout_s: float = Field(default=60.0, gt=0, le=600)


class Expect(_Strict):
    """What must hold for the experiment to pass (bounds from the issue and the seed)."""

    leader_change: Literal["none", "any", "postgres", "redis"] = "none"
    timeline: Literal["same", "advance", "any"] = "any"
    max_write_unavailable_s: float | None = 60.0
    max_leader_change_s: float | None = 60.0
    max_client_errors: int | None = None
    min_acked: int = Field(default=50, ge=0)
    # The old leader acknowledges nothing from ttl + loop_wait + DEMOTE_SLACK_S (verdict.py, 8 s)
    # after the fault until it is restored (partition, quorum loss without failsafe).
    old_leader_stops_writes: bool = False
    # ... and nobody else does either (quorum loss without failsafe: no leader at all).
    no_writes_until_restore: bool = False
    new_leader_before_restore: bool = False
    # Right after the restore, one INSERT straight into the old leader must not be acked.
    probe_old_leader_write: bool = False
    writes_resume_within_s: float | None = 60.0


HttpCallName = Literal["notes", "visits"]


def _notes_only() -> list[HttpCallName]:
    return ["notes"]


class HttpExpect(_Strict):
    """The HTTP workload through the apps and what must hold for it (docs/chaos.md, "The HTTP
    workload").

    `calls` cycle per client: `notes` is POST /api/notes (PostgreSQL), `visits` POST /api/visits
    (Redis). `required`: a run that cannot measure it (a stack without apps) fails unless the
    user passes `--no-http`.
    """

    calls: list[HttpCallName] = Field(default_factory=_notes_only, min_length=1)
    required: bool = False
    max_errors: int | None = Field(default=None, ge=0)
    max_lost: int = Field(default=0, ge=0)
    max_p99_s: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _notes_when_required(self) -> HttpExpect:
        if self.required and "notes" not in self.calls:
            raise ValueError("a required HTTP workload needs `notes` in its calls (the loss check)")
        return self


class Scenario(_Strict):
    """One experiment, as data."""

    name: str = Field(pattern=r"^[a-z0-9-]+$")
    description: str
    proves: str
    recovery: str
    workloads: list[Workload] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    hold: Hold = Field(default_factory=Hold)
    expect: Expect = Field(default_factory=Expect)
    # The application's view: None for a scenario without the HTTP workload.
    http: HttpExpect | None = None


def _builtin() -> dict[str, str]:
    folder = resources.files("paws_chaos") / "scenarios"
    return {
        entry.name.removesuffix(".yaml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def _sources(extra_dir: Path | None) -> dict[str, str]:
    sources = _builtin()
    if extra_dir is not None:
        for path in sorted(extra_dir.glob("*.yaml")):
            _refuse_too_large(partial(check_size, path.stat().st_size), str(path))
            sources[path.stem] = path.read_text(encoding="utf-8")
    return sources


def _refuse_too_large(check: Callable[[], object], origin: str) -> None:
    try:
        check()
    except TooLarge as error:
        raise ScenarioError(
            f"{origin}: too large to read: {error}",
            "write the scenario out plainly (docs/chaos.md); nested YAML aliases are not needed",
        ) from None
    except yaml.YAMLError:
        return  # parse_scenario reports syntax errors with their own message


def parse_scenario(text: str, origin: str) -> Scenario:
    """Validate one YAML document; errors name the file and the field."""
    _refuse_too_large(partial(check_text, text), origin)
    try:
        data = yaml.safe_load(text)
        scenario = Scenario.model_validate(data)
    except yaml.YAMLError as error:
        raise ScenarioError(f"{origin}: not valid YAML: {error}", "fix the YAML syntax") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ScenarioError(
            f"{origin}: {where}: {first['msg']}",
            "see docs/chaos.md for the scenario format",
        ) from None
    if scenario.name != origin.removesuffix(".yaml").rsplit("/", 1)[-1]:
        raise ScenarioError(
            f"{origin}: name {scenario.name!r} does not match the file name",
            "name the file <name>.yaml",
        )
    return scenario


def list_scenarios(extra_dir: Path | None = None) -> list[Scenario]:
    """Every scenario by name: the bundled ones, and the YAML files in `extra_dir` (which win)."""
    return [parse_scenario(text, name) for name, text in sorted(_sources(extra_dir).items())]


def load_scenario(name: str, extra_dir: Path | None = None) -> Scenario:
    """One scenario by name; an unknown name is a ScenarioError listing the known ones."""
    sources = _sources(extra_dir)
    if name not in sources:
        raise ScenarioError(
            f"unknown scenario {name!r}",
            f"choose one of: {', '.join(sorted(sources))} (`paws-chaos list`)",
        )
    return parse_scenario(sources[name], name)
