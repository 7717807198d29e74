"""Whether a `paws-stack dev` is running for a project, so that other commands leave its apps be.

`dev` holds a lock of its own (`.paws/locks/<project>.dev.lock`) from before it touches the
apps until they are back on their production images. The kernel drops it when `dev` exits,
however it exits, so a `dev` killed with SIGKILL never looks alive. While it is held:

- `up` keeps the app containers on their dev definition (it adds dev's compose override), so
  it converges the infrastructure and recreates neither app; it says so.
- `rebuild <app>` refuses: the running `dev` rebuilds an app itself when a dependency file
  changes, and recreating the app on its production image would stop dev's reloads.

App containers in dev mode with no `dev` holding the lock were left by a `dev` that died: `up`
puts them back on their production images, and says that too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ._lock import Holder, ProjectLock, lock_path

DEV_MODE_LABEL = "dev.paws.mode"


@dataclass(frozen=True)
class DevSession:
    """The dev lock of one project and the compose override its `dev` writes."""

    lock: ProjectLock
    override: Path

    @classmethod
    def of(cls, state_dir: Path, project: str) -> DevSession:
        return cls(
            ProjectLock(lock_path(state_dir, f"{project}.dev"), f"dev mode of project {project}"),
            state_dir / "compose" / f"{project}-dev.yaml",
        )

    def elsewhere(self) -> Holder | None:
        """The `dev` of another process that holds this project's apps now, if any.

        This process's own `dev` does not count: it starts with `up`, before its apps are in
        dev mode, and the override of an earlier session must not be applied then.
        """
        holder = self.lock.holder()
        if holder is None or holder.pid == os.getpid() or not self.override.exists():
            return None
        return holder


def dev_mode_services(containers: list[dict[str, str]]) -> list[str]:
    """The services among `containers` (their labels) that run in dev mode.

    >>> dev_mode_services([{"com.docker.compose.service": "frontend", DEV_MODE_LABEL: "dev"},
    ...                    {"com.docker.compose.service": "etcd-1"}])
    ['frontend']
    """
    return sorted(
        labels["com.docker.compose.service"]
        for labels in containers
        if labels.get(DEV_MODE_LABEL) == "dev" and "com.docker.compose.service" in labels
    )
