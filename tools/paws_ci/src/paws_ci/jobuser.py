"""Which user a job's steps run as: the owner of the working tree where act allows it, not root.

What act does with `--container-options "--user UID:GID"` (act 0.2.89, verified here):
- every step runs as that user (`docker exec` with the container's user); act's own setup still
  runs as root;
- the job needs the engine's socket, so its group is added with `--group-add`: the job stays
  root-equivalent on the host (see notice.py), this is not a sandbox;
- act **chowns the working directory recursively** to that user. With `--bind` that directory is
  the developer's checkout, so any uid other than the tree's owner would take the checkout away
  from them. paws-ci therefore only ever uses the tree owner's uid.

So `auto` runs the steps as the checkout's owner when that is not root (files the job writes
stay the developer's, and a step cannot write where the developer cannot), and as root when the
checkout is root's (as here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import PawsCiError

DOCKER_SOCKET = Path("/var/run/docker.sock")
SPEC = re.compile(r"^(?P<uid>\d+)(?::(?P<gid>\d+))?$")


@dataclass(frozen=True)
class JobUser:
    """A numeric user for the job's steps; None (no JobUser) means root, act's default."""

    uid: int
    gid: int
    socket_gid: int | None = None

    def container_options(self) -> str:
        """act's --container-options value (docker create flags).

        >>> JobUser(1000, 1000, 998).container_options()
        '--user 1000:1000 --group-add 998'
        """
        extra = f" --group-add {self.socket_gid}" if self.socket_gid is not None else ""
        return f"--user {self.uid}:{self.gid}{extra}"


def socket_group(socket: Path = DOCKER_SOCKET) -> int | None:
    try:
        return socket.stat().st_gid
    except OSError:
        return None


def parse_job_user(
    spec: str, tree_uid: int, tree_gid: int, socket_gid: int | None
) -> JobUser | None:
    """`auto` (the checkout's owner unless root), `root`, or `UID[:GID]` (must own the checkout).

    >>> parse_job_user("auto", 1000, 1000, 998)
    JobUser(uid=1000, gid=1000, socket_gid=998)
    >>> parse_job_user("auto", 0, 0, 998) is None
    True
    >>> parse_job_user("1000", 1000, 1000, None)
    JobUser(uid=1000, gid=1000, socket_gid=None)
    """
    if spec == "root":
        return None
    if spec == "auto":
        return JobUser(tree_uid, tree_gid, socket_gid) if tree_uid != 0 else None
    match = SPEC.match(spec)
    if not match:
        raise PawsCiError(
            f"--job-user {spec!r} is not auto, root or UID[:GID]",
            "pass --job-user auto (default), --job-user root or the checkout owner's UID[:GID]",
        )
    uid = int(match["uid"])
    gid = int(match["gid"]) if match["gid"] is not None else tree_gid
    if uid == 0:
        return None
    if uid != tree_uid:
        raise PawsCiError(
            f"--job-user {spec}: act would chown the whole checkout (bind-mounted into the job) "
            f"to uid {uid}, but it belongs to uid {tree_uid}",
            f"use --job-user auto (uid {tree_uid}), or run from a checkout owned by uid {uid}",
        )
    return JobUser(uid, gid, socket_gid)


def job_user(spec: str, repo: Path) -> JobUser | None:
    """The job user for the checkout at `repo`."""
    owner = repo.stat()
    return parse_job_user(spec, owner.st_uid, owner.st_gid, socket_group())
