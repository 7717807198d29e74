"""Which checkout a compose project belongs to, so that two clones never share one by accident.

Compose labels every container with the directory it ran from
(`com.docker.compose.project.working_dir`). Two clones that both use the default project name
`paws` would otherwise restart, and with `down --volumes` delete, each other's stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ForeignProject

PROJECT_LABEL = "com.docker.compose.project"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"


def working_dirs(client: Any, project: str) -> set[str]:
    """The compose directories the project's containers (running or not) were created from."""
    label = f"{PROJECT_LABEL}={project}"
    containers = client.containers.list(all=True, sparse=True, filters={"label": label})
    return {
        labels[WORKING_DIR_LABEL]
        for labels in ((c.attrs.get("Labels") or {}) for c in containers)
        if labels.get(WORKING_DIR_LABEL)
    }


def foreign_dirs(found: set[str], compose_dir: Path) -> list[str]:
    """The directories in `found` that are not this checkout's compose directory.

    >>> foreign_dirs({"/a/compose", "/b/compose"}, Path("/a/compose"))
    ['/b/compose']
    """
    mine = _canonical(compose_dir)
    return sorted(d for d in found if _canonical(Path(d)) != mine)


def _canonical(path: Path) -> str:
    # A symlinked checkout is the same checkout.
    try:
        return str(path.resolve())
    except OSError:
        return str(path)


def suggested_name(project: str, compose_dir: Path) -> str:
    """A project name for this checkout: the base name plus the checkout's directory name.

    >>> suggested_name("paws", Path("/home/me/paws-2/compose"))
    'paws-paws-2'
    """
    suffix = "".join(
        ch if ch.isalnum() or ch in "_-" else "-" for ch in compose_dir.resolve().parent.name
    )
    name = f"{project}-{suffix.lower().strip('-_') or 'other'}"
    # `<name>-lite` is reserved for the lite profile of `<name>`.
    return f"{name}-2" if name.endswith("-lite") else name


def record_path(state_dir: Path, project: str) -> Path:
    """Where this checkout notes that it created a project's volumes."""
    return state_dir / "projects" / f"{project}.json"


def claim(state_dir: Path, project: str, compose_dir: Path) -> None:
    """Note that this checkout creates (or uses) the project: its volumes are ours from now on."""
    record = record_path(state_dir, project)
    if not record.is_file():
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"compose_dir": str(compose_dir.resolve())}) + "\n", "utf-8")


@dataclass(frozen=True)
class Checkout:
    """This checkout, as far as identity goes."""

    compose_dir: Path
    state_dir: Path
    base_name: str  # PAWS_PROJECT_NAME, for the suggested fix
    has_secrets: bool  # complete secrets: volumes from before the records existed are ours


def require_own_projects(client: Any, projects: list[str], checkout: Checkout) -> None:
    """Refuse when any of `projects` belongs to another checkout.

    Containers say where they were created (compose's label). Volumes alone say nothing, so a
    project that is down counts as ours only if this checkout noted creating it (or, for
    volumes made before such notes, holds its secrets).
    """
    for project in projects:
        found = working_dirs(client, project)
        others = foreign_dirs(found, checkout.compose_dir)
        if others:
            raise _foreign(project, f"another checkout ({Path(others[0]).parent})", checkout)
        unclaimed = not record_path(checkout.state_dir, project).is_file()
        if not found and unclaimed and not checkout.has_secrets and _volumes(client, project):
            raise _foreign(
                project,
                "another checkout (its volumes exist, its containers do not)",
                checkout,
                "; if the volumes are this checkout's own and its .paws was lost, restore "
                ".paws/secrets from a backup",
            )


def _volumes(client: Any, project: str) -> list[str]:
    label = f"{PROJECT_LABEL}={project}"
    return [v.name for v in client.volumes.list(filters={"label": label})]


def _foreign(project: str, owner: str, checkout: Checkout, more: str = "") -> ForeignProject:
    return ForeignProject(
        f"project {project} belongs to {owner}, not to this one "
        f"({checkout.compose_dir.resolve().parent}); paws will not touch it",
        "give this checkout its own name, e.g. "
        f"`export PAWS_PROJECT_NAME={suggested_name(checkout.base_name, checkout.compose_dir)}` "
        "(or in its .env), or run the command from the other checkout" + more,
    )
