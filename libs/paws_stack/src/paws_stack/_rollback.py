"""What one `up` created, so that an interrupted first `up` removes exactly that and no more.

Taken before compose starts: the project's containers, volumes and networks. After Ctrl-C (or
SIGTERM/SIGHUP) everything of the project that is not in the snapshot was created by this run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PROJECT_LABEL = "com.docker.compose.project"
Report = Callable[[str], None]


@dataclass(frozen=True)
class Resources:
    """Ids of the project's containers and names of its volumes and networks."""

    containers: frozenset[str]
    volumes: frozenset[str]
    networks: frozenset[str]

    def added_since(self, before: Resources) -> Resources:
        """What exists now and did not exist in `before`.

        >>> old = Resources(frozenset({"c1"}), frozenset({"v1"}), frozenset())
        >>> new = Resources(frozenset({"c1", "c2"}), frozenset({"v1", "v2"}), frozenset({"n"}))
        >>> added = new.added_since(old)
        >>> sorted(added.containers), sorted(added.volumes), sorted(added.networks)
        (['c2'], ['v2'], ['n'])
        """
        return Resources(
            self.containers - before.containers,
            self.volumes - before.volumes,
            self.networks - before.networks,
        )

    def __bool__(self) -> bool:
        return bool(self.containers or self.volumes or self.networks)


def resources(client: Any, project: str) -> Resources:
    """The project's resources as the engine lists them now."""
    label = {"label": f"{PROJECT_LABEL}={project}"}
    return Resources(
        frozenset(c.id for c in client.containers.list(all=True, sparse=True, filters=label)),
        frozenset(v.name for v in client.volumes.list(filters=label)),
        frozenset(n.name for n in client.networks.list(filters=label)),
    )


def remove_created(
    client: Any, project: str, before: Resources, report: Report, settle_s: float = 1.0
) -> Resources:
    """Remove what the project gained since `before`: containers, then volumes and networks.

    Repeated until a pass finds nothing new: a create request compose sent just before it was
    stopped may complete in the engine after the first listing.
    """
    removed = Resources(frozenset(), frozenset(), frozenset())
    for attempt in range(10):
        created = resources(client, project).added_since(before)
        if not created:
            break
        if attempt == 0:
            _say(report, created)
        _remove(client, created)
        removed = Resources(
            removed.containers | created.containers,
            removed.volumes | created.volumes,
            removed.networks | created.networks,
        )
        time.sleep(settle_s)
    return removed


def _say(report: Report, created: Resources) -> None:
    # The terminal may be gone (SIGHUP): a message that cannot be shown must not stop the cleanup.
    with contextlib.suppress(OSError):
        report(
            f"interrupted: removing what this run created ({len(created.containers)} containers, "
            f"{len(created.volumes)} volumes, {len(created.networks)} networks); "
            "anything that existed before is kept"
        )


def _remove(client: Any, created: Resources) -> None:
    import docker.errors

    gone = (docker.errors.NotFound, docker.errors.APIError)
    for container_id in sorted(created.containers):
        with contextlib.suppress(*gone):
            client.containers.get(container_id).remove(force=True)
    for name in sorted(created.volumes):
        with contextlib.suppress(*gone):
            client.volumes.get(name).remove(force=True)
    for name in sorted(created.networks):
        with contextlib.suppress(*gone):
            client.networks.get(name).remove()
