"""Which user a job's steps run as: the invoking user where act allows it, not root.

act creates the job container with `--container-options` and runs every step with the image's
default user, so `--user UID:GID` there makes the steps run as that user (act's own setup, the
mkdir of /var/run/act, still runs as root through `docker exec -u root`). The job still needs
the engine's socket, so the socket's group is added: that keeps the job root-equivalent on the
host (see notice.py), but files it writes into the working tree belong to the developer, not
to root, and a step cannot change the host's files outside what the developer owns.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import PawsCiError

DOCKER_SOCKET = Path("/var/run/docker.sock")
SPEC = re.compile(r"^(?P<uid>\d+)(?::(?P<gid>\d+))?$")


@dataclass(frozen=True)
class JobUser:
    """A numeric user for the job's steps; None means the image's default (root)."""

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


def parse_job_user(spec: str, uid: int, gid: int, socket_gid: int | None) -> JobUser | None:
    """`auto` (the invoking user unless that is root), `root`, or `UID[:GID]`.

    >>> parse_job_user("auto", 1000, 1000, 998)
    JobUser(uid=1000, gid=1000, socket_gid=998)
    >>> parse_job_user("auto", 0, 0, 998) is None
    True
    >>> parse_job_user("1234", 0, 0, None)
    JobUser(uid=1234, gid=1234, socket_gid=None)
    """
    if spec == "root":
        return None
    if spec == "auto":
        return JobUser(uid, gid, socket_gid) if uid != 0 else None
    match = SPEC.match(spec)
    if not match:
        raise PawsCiError(
            f"--job-user {spec!r} is not auto, root or UID[:GID]",
            "pass --job-user auto (default), --job-user root or e.g. --job-user 1000:1000",
        )
    job_uid = int(match["uid"])
    job_gid = int(match["gid"]) if match["gid"] is not None else job_uid
    return None if job_uid == 0 else JobUser(job_uid, job_gid, socket_gid)


def job_user(spec: str) -> JobUser | None:
    """The job user for this process (`auto` follows the effective uid)."""
    return parse_job_user(spec, os.geteuid(), os.getegid(), socket_group())
