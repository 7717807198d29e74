"""The CI parity report: for each job and step, whether act ran it the way GitHub would.

The rules are data (data/act-limits.toml); this module only applies them to a workflow.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .workflow import Job, Step, Workflow, local_action_steps


@dataclass(frozen=True)
class StepParity:
    """One step: did act run it as GitHub would, and if not, why."""

    job: str
    step: str
    line: int
    as_on_github: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobParity:
    """One job and its steps; `ran` says whether act ran the job in this run."""

    workflow: str
    job: str
    ran: bool
    notes: tuple[str, ...]
    steps: tuple[StepParity, ...]


@dataclass(frozen=True)
class ParityReport:
    """All jobs of the workflows act read; counts cover the jobs that ran."""

    jobs: tuple[JobParity, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(len(j.steps) for j in self.jobs if j.ran)

    @property
    def as_on_github(self) -> int:
        return sum(1 for j in self.jobs if j.ran for s in j.steps if s.as_on_github)

    def summary_line(self) -> str:
        return f"{self.as_on_github} of {self.total} steps ran as on GitHub"

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_on_github": self.as_on_github,
            "total": self.total,
            "summary": self.summary_line(),
            "jobs": [asdict(j) for j in self.jobs],
        }


def load_limits() -> dict[str, Any]:
    """act's documented limits, from the packaged TOML file."""
    text = resources.files("paws_ci").joinpath("data/act-limits.toml").read_text("utf-8")
    return tomllib.loads(text)


def _wants_oidc(permissions: Any) -> bool:
    """Whether a permissions block asks for an OIDC token.

    >>> _wants_oidc({"id-token": "write", "contents": "read"})
    True
    >>> _wants_oidc("read-all")
    False
    """
    return isinstance(permissions, dict) and str(permissions.get("id-token")) == "write"


def remote_action(uses: str) -> str | None:
    """`owner/repo` of a remote action reference, None for local and docker ones.

    >>> remote_action("actions/checkout@v4")
    'actions/checkout'
    >>> remote_action("./actions/paws-stack") is None
    True
    """
    if uses.startswith(("./", "docker://")):
        return None
    return "/".join(uses.split("@", 1)[0].split("/")[:2])


def _uses_notes(
    uses: str, repo: Path, limits: dict[str, Any], mapped: frozenset[str], depth: int = 0
) -> list[str]:
    remote = remote_action(uses)
    if remote is not None:
        if remote in limits["remote"]["served_locally"]:
            return []
        if remote in mapped:
            return [f"{uses}: {limits['remote']['stand_in']}"]
        return [f"{uses}: {limits['remote']['note']}"]
    if depth > 3:
        return []
    notes: list[str] = []
    for inner in local_action_steps(repo, uses):
        if "uses" in inner:
            notes += _uses_notes(str(inner["uses"]), repo, limits, mapped, depth + 1)
        notes += _run_notes(str(inner.get("run") or ""), limits)
    return [f"inside {uses}: {n}" for n in notes] if depth == 0 else notes


def _run_notes(script: str, limits: dict[str, Any]) -> list[str]:
    return [note for text, note in limits["run"].items() if text in script]


def _step_parity(
    job: Job,
    step: Step,
    job_notes: list[str],
    repo: Path,
    limits: dict[str, Any],
    mapped: frozenset[str],
) -> StepParity:
    notes = [note for key, note in limits["step"].items() if key in step.keys]
    if step.uses:
        notes += _uses_notes(step.uses, repo, limits, mapped)
    if step.run:
        notes += _run_notes(step.run, limits)
    return StepParity(
        job=job.id,
        step=step.name,
        line=step.line,
        as_on_github=not notes and not job_notes,
        notes=tuple(notes),
    )


def assess_parity(
    workflows: list[Workflow],
    ran: set[str],
    repo: Path,
    mapped_actions: frozenset[str] = frozenset(),
) -> ParityReport:
    """Judge every step of every job; `ran` holds the ids of the jobs act ran."""
    limits = load_limits()
    jobs: list[JobParity] = []
    for workflow in workflows:
        workflow_notes = [n for k, n in limits["workflow"].items() if k in workflow.keys]
        for job in workflow.jobs:
            notes = [n for k, n in limits["job"].items() if k in job.keys]
            if _wants_oidc(job.permissions) or _wants_oidc(workflow.permissions):
                notes.append(limits["oidc"]["note"])
            steps = tuple(
                _step_parity(job, s, notes, repo, limits, mapped_actions) for s in job.steps
            )
            jobs.append(
                JobParity(
                    workflow=str(workflow.path),
                    job=job.id,
                    ran=job.id in ran,
                    notes=tuple(workflow_notes + notes),
                    steps=steps,
                )
            )
    return ParityReport(jobs=tuple(jobs))
