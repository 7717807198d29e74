"""Which checkout a compose project belongs to, so that two clones never share one by accident.

Compose labels every container with the directory it ran from
(`com.docker.compose.project.working_dir`). Two clones that both use the default project name
`paws` would otherwise restart, and with `down --volumes` delete, each other's stack.
"""

from __future__ import annotations

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


def require_own_projects(
    client: Any, projects: list[str], compose_dir: Path, setting_value: str
) -> None:
    """Refuse when any of `projects` has containers created from another checkout."""
    for project in projects:
        others = foreign_dirs(working_dirs(client, project), compose_dir)
        if others:
            raise ForeignProject(
                f"project {project} belongs to another checkout ({others[0]}), "
                f"not this one ({compose_dir.resolve()}); paws will not touch it",
                "give this checkout its own name, e.g. "
                f"`export PAWS_PROJECT_NAME={suggested_name(setting_value, compose_dir)}` "
                "(or in its .env), or run the command from the other checkout",
            )
