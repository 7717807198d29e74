"""Podman as the engine: its Docker-compatible API service, which all of paws' clients use.

paws drives Podman as it drives Docker: the docker SDK, the docker CLI and Compose v2 reach
Podman's API socket through DOCKER_HOST. podman-compose is not used: its handling of
`depends_on: condition: service_healthy` differs from one version to the next, and the stack's
start order rests on it. Where no service listens, setup starts one, as it starts dockerd on
hosts without systemd (docs/troubleshooting.md, "Podman").
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Debian's packages for a rootful engine: netavark (the network backend) with aardvark-dns for
# service names, and catatonit as the containers' init.
PACKAGES = ("podman", "netavark", "aardvark-dns", "catatonit")
ROOT_SOCKET = Path("/run/podman/podman.sock")
SERVICE_LOG = "paws-podman.log"
CONF_FILE = "podman-containers.conf"

# What rootful Podman gives every container unless containers.conf says otherwise. Raising a
# limit above the service's own hard limit needs CAP_SYS_RESOURCE, which containers, CI
# runners and some VMs lack; runc then refuses every container ("error setting rlimit type 7").
PODMAN_ULIMITS = {"nofile": 1048576, "nproc": 4194304}
_RLIMITS = {"nofile": resource.RLIMIT_NOFILE, "nproc": resource.RLIMIT_NPROC}
PID_MAX = Path("/proc/sys/kernel/pid_max")


def default_socket(euid: int | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """Where `podman system service` listens by default: /run as root, the runtime dir else."""
    uid = os.geteuid() if euid is None else euid
    if uid == 0:
        return ROOT_SOCKET
    runtime = environ.get("XDG_RUNTIME_DIR") or f"/run/user/{uid}"
    return Path(runtime) / "podman" / "podman.sock"


def docker_host(environ: Mapping[str, str] = os.environ) -> str:
    """The DOCKER_HOST for Podman's API: the user's own (a podman machine, ssh://) or the
    default socket."""
    return environ.get("DOCKER_HOST") or f"unix://{default_socket(environ=environ)}"


def socket_of(url: str) -> Path | None:
    """The socket file of a unix:// URL; None for ssh:// or tcp://, which paws cannot start."""
    return Path(url.removeprefix("unix://")) if url.startswith("unix://") else None


def capped_ulimits(hard_limits: Mapping[str, int]) -> dict[str, int]:
    """Podman's default limits that exceed the given hard limits, each capped to its limit."""
    capped: dict[str, int] = {}
    for name, wanted in PODMAN_ULIMITS.items():
        hard = hard_limits[name]
        if hard != resource.RLIM_INFINITY and hard < wanted:
            capped[name] = hard
    return capped


def containers_conf(ulimits: Mapping[str, int]) -> str:
    """A containers.conf(5) giving containers `ulimits` (soft = hard) instead of the defaults."""
    values = ", ".join(f'"{name}={limit}:{limit}"' for name, limit in sorted(ulimits.items()))
    return (
        "# Written by paws for the Podman service it starts: the limits this host lets the\n"
        "# service give its containers (docs/troubleshooting.md, Podman).\n"
        f"[containers]\ndefault_ulimits = [{values}]\n"
        # Debian's package also ships a CNI config; without CNI's plugins it would only warn,
        # and the backend must not depend on which one a first container happened to pick.
        '[network]\nnetwork_backend = "netavark"\n'
    )


def service_ceilings(pid_max_file: Path = PID_MAX) -> dict[str, int]:
    """The highest limits the service can give: this process's hard limits, which it inherits,
    with nproc no higher than the kernel's pid_max, to which Podman lowers its own (4.3 here:
    hard nproc 96369 in the shell, 32768 = pid_max in the service)."""
    ceilings = {name: resource.getrlimit(which)[1] for name, which in _RLIMITS.items()}
    try:
        pid_max = int(pid_max_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ceilings
    nproc = ceilings["nproc"]
    ceilings["nproc"] = pid_max if nproc == resource.RLIM_INFINITY else min(nproc, pid_max)
    return ceilings


def launch_service(url: str, conf: Path, log_path: Path) -> subprocess.Popen[bytes]:
    """Start `podman system service` detached (its own session, so our exit leaves it running),
    with `conf` as its containers.conf and no idle timeout."""
    socket = socket_of(url)
    if socket is not None:
        socket.parent.mkdir(parents=True, exist_ok=True)
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(containers_conf(capped_ulimits(service_ceilings())), encoding="utf-8")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        return subprocess.Popen(
            [shutil.which("podman") or "podman", "system", "service", "--time=0", url],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "CONTAINERS_CONF": str(conf)},
        )
