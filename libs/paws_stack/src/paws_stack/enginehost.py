"""Where the engine runs, and what that host needs: Docker Desktop, colima, WSL2, ARM, remote.

The host checks in hostcheck.py measure this machine. On macOS and Windows the containers run in
a VM whose memory, shared folders and CPU architecture are the engine's, not the host's, so these
checks read the engine's own `docker info` instead. Each finding is a warning with its fix
(docs/troubleshooting.md, "Platforms"); none stops `up`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from .engine import detect_platform
from .hostcheck import GIB, PROFILE_NEEDS, Check, HostReport
from .settings import StackSettings

Flavour = Literal["native", "docker-desktop", "colima", "remote"]

# Folders Docker Desktop for Mac shares with its VM by default (Resources > File sharing).
DESKTOP_SHARED = ("/Users", "/Volumes", "/private", "/tmp", "/var/folders")  # noqa: S108
# A Windows drive as WSL mounts it: /mnt/c/...
WINDOWS_DRIVE = re.compile(r"^/mnt/[a-zA-Z](/|$)")
LOCAL_SCHEMES = ("unix", "npipe", "")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ARM = ("aarch64", "arm64")
# Info-level findings still worth a line at `up`: they change what the user must do.
NOTED_CHECKS = ("architecture", "remote engine", "container addresses")


@dataclass(frozen=True)
class EngineHost:
    """The engine's host as `docker info` and the client's endpoint describe it."""

    flavour: Flavour
    memory_bytes: int | None
    cpus: int | None
    architecture: str
    endpoint: str

    @property
    def in_a_vm(self) -> bool:
        return self.flavour in ("docker-desktop", "colima")


def is_remote(endpoint: str) -> bool:
    """Whether the client's endpoint (DOCKER_HOST or a context) is another machine."""
    parts = urlsplit(endpoint)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOOPBACK_HOSTS


def classify_engine(info: Mapping[str, Any], endpoint: str) -> EngineHost:
    """Read `docker info` (the SDK's `client.info()`) and the endpoint into an EngineHost."""
    system = str(info.get("OperatingSystem", ""))
    name = str(info.get("Name", ""))
    flavour: Flavour = "native"
    if is_remote(endpoint):
        flavour = "remote"
    elif "Docker Desktop" in system:
        flavour = "docker-desktop"
    elif "colima" in name.lower() or ".colima" in endpoint:
        flavour = "colima"
    memory = info.get("MemTotal")
    cpus = info.get("NCPU")
    return EngineHost(
        flavour,
        int(memory) if isinstance(memory, int) else None,
        int(cpus) if isinstance(cpus, int) else None,
        str(info.get("Architecture", "")),
        endpoint,
    )


def check_vm_memory(engine: EngineHost, profile: str) -> Check | None:
    """Docker Desktop and colima give their VM a fixed amount of memory, often 2 GiB."""
    if not engine.in_a_vm or engine.memory_bytes is None:
        return None
    have, need = engine.memory_bytes / GIB, PROFILE_NEEDS[profile].memory_gib
    if have >= need:
        return Check("engine memory", True, f"the engine's VM has {have:.1f} GiB", "info")
    fix = {
        "docker-desktop": "raise Docker Desktop > Settings > Resources > Memory",
        "colima": f"colima stop && colima start --memory {max(4, int(need) + 2)}",
    }[engine.flavour]
    detail = f"the engine's VM has {have:.1f} GiB; the {profile} profile needs {need:g} GiB: {fix}"
    return Check("engine memory", False, detail, "warning")


def check_file_sharing(engine: EngineHost, checkout: Path, home: Path) -> Check | None:
    """The dev loop bind-mounts the apps' sources: the VM must see the checkout."""
    path = str(checkout)
    if engine.flavour == "docker-desktop" and not path.startswith(DESKTOP_SHARED):
        detail = (
            f"{checkout} is outside Docker Desktop's shared folders, so the dev loop's "
            "mounts would be empty: add it in Settings > Resources > File sharing"
        )
        return Check("file sharing", False, detail, "warning")
    if engine.flavour == "colima" and not checkout.is_relative_to(home):
        detail = (f"{checkout} is outside your home folder, which is all colima mounts by "
                  f"default: colima start --mount {checkout}:w")  # fmt: skip
        return Check("file sharing", False, detail, "warning")
    return None


def check_windows_drive(platform_kind: str, checkout: Path) -> Check | None:
    """WSL2 reaches C: over 9P: no inotify events for edits made there, and slow file access."""
    if platform_kind != "wsl" or not WINDOWS_DRIVE.match(PurePosixPath(checkout).as_posix()):
        return None
    detail = (f"{checkout} is on a Windows drive: edits there send no inotify events and file "
              "access is slow; clone into the WSL filesystem (e.g. ~/src) or run the dev loop "
              "with --polling")  # fmt: skip
    return Check("windows drive", False, detail, "warning")


def check_unroutable(engine: EngineHost) -> Check | None:
    """A VM's or another machine's bridge networks are not routable from this host: paws then
    relays its own connections through the engine (reach.py), which is worth saying once."""
    if engine.flavour == "native":
        return None
    detail = (f"container addresses on a {engine.flavour} engine are not routable from here: "
              "paws relays its connections through the engine (PAWS_REACH=auto; "
              "docs/troubleshooting.md#macos-and-wsl2)")  # fmt: skip
    return Check("container addresses", True, detail, "info")


def check_architecture(engine: EngineHost) -> Check | None:
    """ARM engines build the same images from Debian's arm64 packages: worth saying once."""
    if engine.architecture not in ARM:
        return None
    detail = (f"the engine runs on {engine.architecture}: images are built from Debian's arm64 "
              "packages (the same versions; docs/troubleshooting.md#arm-hosts)")  # fmt: skip
    return Check("architecture", True, detail, "info")


def check_remote(engine: EngineHost) -> Check | None:
    """Published ports open on the engine's host, not on this machine."""
    if engine.flavour != "remote":
        return None
    host = urlsplit(engine.endpoint).hostname or engine.endpoint
    detail = (f"the engine is on {host}: published ports open there, not here; "
              "`paws-stack endpoints` prints the ssh -L line that brings them here")  # fmt: skip
    return Check("remote engine", True, detail, "info")


def engine_host_checks(
    engine: EngineHost, profile: str, platform_kind: str, checkout: Path, home: Path
) -> list[Check]:
    """Every platform finding for this engine and checkout, in a stable order."""
    found = (
        check_vm_memory(engine, profile),
        check_file_sharing(engine, checkout, home),
        check_windows_drive(platform_kind, checkout),
        check_unroutable(engine),
        check_architecture(engine),
        check_remote(engine),
    )
    return [check for check in found if check is not None]


def engine_endpoint(client: Any) -> str:
    """What the client talks to: DOCKER_HOST as given (an ssh:// host stays readable), else the
    SDK's base URL."""
    return os.environ.get("DOCKER_HOST") or str(client.api.base_url)


def engine_host(client: Any) -> EngineHost:
    """The engine's host, from one `docker info` call."""
    return classify_engine(client.info(), engine_endpoint(client))


def platform_checks(client: Any, settings: StackSettings) -> list[Check]:
    """The platform findings for this stack's engine, profile and checkout."""
    return engine_host_checks(
        engine_host(client), settings.profile, detect_platform().kind,
        settings.project_dir, Path.home(),
    )  # fmt: skip


def tunnel_command(endpoint: str, ports: list[int]) -> str | None:
    """`ssh -N -L ...` bringing a remote engine's published loopback ports to this machine."""
    if not is_remote(endpoint):
        return None
    parts = urlsplit(endpoint)
    user = f"{parts.username}@" if parts.username else ""
    forwards = " ".join(f"-L {port}:127.0.0.1:{port}" for port in ports)
    return f"ssh -N {forwards} {user}{parts.hostname}"


def announce(report: HostReport, message: Callable[[str], None]) -> None:
    """Say every warning, and the notes that change what the user must do."""
    for check in report.checks:
        if check.level == "warning":
            message(f"warning: {check.detail}")
        elif check.name in NOTED_CHECKS:
            message(f"note: {check.detail}")
