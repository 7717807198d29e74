"""One local CI run per host at a time.

act names a job's container `act-<workflow>-<job>-<hash>` from the workflow and job names only,
and the local-CI stack uses one project name and one set of ports: two runs at once, from one
checkout or two, remove each other's containers and fight over the stack. A host-wide `flock`
serialises paws-ci runs (the kernel drops it when its holder exits, however it exits, so it is
never stale), and act containers still running outside any paws-ci run are refused by name.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import RunInProgress

LOCK_PATH = Path(tempfile.gettempdir()) / "paws-ci.lock"
ACT_CONTAINER_PREFIX = "act-"


def _open_lock(path: Path) -> tuple[int, bool]:
    """The lock file's descriptor, and whether we may write who we are into it."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644), True
    except PermissionError:  # created by another user: flock works on a read-only descriptor
        return os.open(path, os.O_RDONLY), False


@contextlib.contextmanager
def one_run_at_a_time(repo: Path, lock_path: Path | None = None) -> Iterator[None]:
    """Hold the host's local-CI lock for the block; RunInProgress if another run holds it."""
    fd, writable = _open_lock(lock_path or LOCK_PATH)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            raise RunInProgress(
                f"another local CI run is in progress ({holder or 'holder unknown'})",
                "wait for it to end, or stop it (Ctrl-C where it runs), then retry",
            ) from None
        if writable:
            os.ftruncate(fd, 0)
            started = time.strftime("%H:%M:%S")
            os.pwrite(fd, f"pid {os.getpid()} in {repo}, since {started}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def running_act_containers() -> list[str]:
    """Names of running containers act created (the prefix it gives every job container)."""
    listed = subprocess.run(
        ["docker", "ps", "--filter", f"name=^{ACT_CONTAINER_PREFIX}", "--format", "{{.Names}}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return sorted(listed.stdout.split()) if listed.returncode == 0 else []


def refuse_foreign_act_run(names: list[str]) -> None:
    """Under our lock, a running act container belongs to a run paws-ci did not start."""
    if names:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        raise RunInProgress(
            f"act job containers of another run are still running: {shown}",
            "wait for that act run to end, or remove its containers: "
            f"docker rm -f {' '.join(names)}",
        )
