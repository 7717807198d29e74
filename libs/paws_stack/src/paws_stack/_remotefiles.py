"""Files a remote engine's containers mount, put on that engine's host first.

Compose hands secrets and configs to containers as bind mounts of host paths, and the host is
the engine's: on another machine those paths do not exist, and the engine would mount empty
directories in their place. Before `up` on a remote engine paws copies each file the project
mounts to the same path on the engine's host, with its mode and owner, through the engine's
own archive API: a container that is created, given the files and removed, never started. The
files cross the same connection the engine's API already uses (ssh or TLS, as configured).
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .compose import ComposeProject
from .images import ImagePlan

# Where the helper container sees each directory it fills; never started, so never used.
MOUNT_ROOT = "/paws-files"


def mount_sources(config: Mapping[str, Any]) -> list[Path]:
    """Every host path the resolved compose configuration mounts: secrets and configs given as
    files, and bind volumes.

    >>> mount_sources({"secrets": {"a": {"file": "/s/a"}}, "configs": {"p": {"file": "/c/p"}},
    ...     "services": {"x": {"volumes": [{"type": "bind", "source": "/s/a"},
    ...                                    {"type": "volume", "source": "data"}]}}})
    [PosixPath('/c/p'), PosixPath('/s/a')]
    """
    named = [
        entry["file"]
        for section in ("secrets", "configs")
        for entry in (config.get(section) or {}).values()
        if entry.get("file")
    ]
    bound = [
        volume["source"]
        for service in (config.get("services") or {}).values()
        for volume in service.get("volumes") or ()
        if volume.get("type") == "bind"
    ]
    return sorted({Path(p) for p in [*named, *bound]})


def mounted_files(config: Mapping[str, Any]) -> list[Path]:
    """The mounted paths that are regular files here: directories are the dev loop's sources,
    which a remote engine cannot follow (docs/troubleshooting.md)."""
    return [path for path in mount_sources(config) if path.is_file()]


def archive(files: Iterable[Path]) -> bytes:
    """A tar of `files` by their bare names, with each one's mode, owner and time."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in files:
            stat = path.stat()
            info = tarfile.TarInfo(path.name)
            info.size, info.mode, info.mtime = stat.st_size, stat.st_mode & 0o7777, stat.st_mtime
            info.uid, info.gid = stat.st_uid, stat.st_gid
            with path.open("rb") as content:
                tar.addfile(info, content)
    return buffer.getvalue()


def by_directory(files: Iterable[Path]) -> dict[Path, list[Path]]:
    grouped: dict[Path, list[Path]] = {}
    for path in files:
        grouped.setdefault(path.parent, []).append(path)
    return grouped


def copy_to_engine_host(client: Any, image: str, files: Iterable[Path]) -> int:
    """Put `files` at their own paths on the engine's host; returns how many were copied.

    The helper container binds each directory (the engine creates a missing one) and takes the
    files through `put_archive`, which writes through the bind to the host.
    """
    grouped = by_directory(files)
    if not grouped:
        return 0
    inside = {directory: f"{MOUNT_ROOT}/{i}" for i, directory in enumerate(grouped)}
    helper = client.containers.create(
        image,
        command=["true"],
        network_disabled=True,
        volumes={str(d): {"bind": target, "mode": "rw"} for d, target in inside.items()},
    )
    try:
        for directory, paths in grouped.items():
            helper.put_archive(inside[directory], archive(paths))
    finally:
        helper.remove(force=True)
    return sum(len(paths) for paths in grouped.values())


def provide_mounted_files(client: Any, compose: ComposeProject, plan: ImagePlan) -> int:
    """Copy what this project's containers will mount to the engine's host (before `up`)."""
    config = json.loads(compose.run("config", "--format", "json"))
    return copy_to_engine_host(client, plan.service("haproxy"), mounted_files(config))
