"""Read workflow files into a small model: jobs and steps with the lines they start on.

ruamel.yaml reads YAML 1.2, so the `on:` key stays the string "on", and it keeps line numbers,
so every error and every report line can point at the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import WorkflowError

WORKFLOW_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class Step:
    """One step of a job, as written."""

    index: int
    name: str
    line: int
    uses: str | None = None
    run: str | None = None
    keys: frozenset[str] = frozenset()
    with_: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """One job of a workflow, as written."""

    id: str
    name: str
    line: int
    steps: tuple[Step, ...]
    keys: frozenset[str] = frozenset()
    permissions: Any = None
    runs_on: Any = None


@dataclass(frozen=True)
class Workflow:
    """A workflow file."""

    path: Path
    name: str
    jobs: tuple[Job, ...]
    keys: frozenset[str] = frozenset()
    permissions: Any = None


def _line(node: Any) -> int:
    """1-based line of a ruamel node; 0 when unknown."""
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None and lc.line is not None else 0


def step_name(raw: dict[str, Any]) -> str:
    """The name GitHub shows for a step: its name, else `Run <first line>` or the action.

    >>> step_name({"run": "make lint\\nmake test"})
    'Run make lint'
    >>> step_name({"uses": "./actions/paws-stack"})
    'Run ./actions/paws-stack'
    """
    if raw.get("name"):
        return str(raw["name"])
    if raw.get("run"):
        return "Run " + str(raw["run"]).strip().splitlines()[0]
    return f"Run {raw.get('uses', '?')}"


def _step(index: int, raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise WorkflowError(
            f"{where}: step {index + 1} is not a mapping", "each step needs `run:` or `uses:`"
        )
    return Step(
        index=index,
        name=step_name(raw),
        line=_line(raw),
        uses=str(raw["uses"]) if "uses" in raw else None,
        run=str(raw["run"]) if "run" in raw else None,
        keys=frozenset(str(k) for k in raw),
        with_=dict(raw.get("with") or {}),
    )


def _job(job_id: str, raw: Any, path: Path, line: int) -> Job:
    where = f"{path} line {line} (job {job_id})"
    if not isinstance(raw, dict):
        raise WorkflowError(f"{where}: a job must be a mapping", "see the workflow syntax docs")
    steps = raw.get("steps") or []
    return Job(
        id=job_id,
        name=str(raw.get("name") or job_id),
        line=line,
        steps=tuple(_step(i, s, where) for i, s in enumerate(steps)),
        keys=frozenset(str(k) for k in raw),
        permissions=raw.get("permissions"),
        runs_on=raw.get("runs-on"),
    )


def parse_workflow(text: str, path: Path) -> Workflow:
    """Parse workflow text; a YAML or shape error names the file and line."""
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise WorkflowError(
            f"{path}{line}: {problem}", f"fix the YAML at {path}{line}, then run again"
        ) from None
    except YAMLError as exc:
        raise WorkflowError(f"{path}: {exc}", f"fix the YAML in {path}") from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
        raise WorkflowError(
            f"{path}: not a workflow (no `jobs:` mapping)",
            "a workflow needs `on:` and `jobs:`; see docs/local-ci.md",
        )
    jobs_node = data["jobs"]
    jobs = []
    for job_id, raw in jobs_node.items():
        lc = getattr(jobs_node, "lc", None)
        job_line = int(lc.key(job_id)[0]) + 1 if lc is not None else 0
        jobs.append(_job(str(job_id), raw, path, job_line))
    return Workflow(
        path=path,
        name=str(data.get("name") or path.name),
        jobs=tuple(jobs),
        keys=frozenset(str(k) for k in data),
        permissions=data.get("permissions"),
    )


def load_workflow(path: Path) -> Workflow:
    """Read and parse one workflow file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowError(
            f"{path}: cannot read: {exc.strerror}", "check the path given with -W"
        ) from None
    return parse_workflow(text, path)


def workflow_files(target: Path) -> list[Path]:
    """The workflow files act would read for -W target (a file or a directory)."""
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise WorkflowError(f"{target}: no such workflow file or directory", "check -W")
    return sorted(p for p in target.iterdir() if p.suffix in WORKFLOW_SUFFIXES)


def load_workflows(target: Path) -> list[Workflow]:
    """Parse every workflow under target, failing on the first broken one."""
    return [load_workflow(p) for p in workflow_files(target)]


def local_action_steps(repo: Path, uses: str) -> list[dict[str, Any]]:
    """The steps of a local composite action (`uses: ./path`); [] for other kinds."""
    folder = repo / uses.removeprefix("./")
    for name in ("action.yml", "action.yaml"):
        candidate = folder / name
        if candidate.is_file():
            try:
                data = YAML(typ="rt").load(candidate.read_text(encoding="utf-8"))
            except YAMLError as exc:
                raise WorkflowError(f"{candidate}: {exc}", f"fix the YAML in {candidate}") from None
            runs = data.get("runs") if isinstance(data, dict) else None
            if isinstance(runs, dict) and runs.get("using") == "composite":
                return [s for s in runs.get("steps") or [] if isinstance(s, dict)]
            return []
    return []
