"""Find the container engine: client, compose v2, and whether the daemon answers.

`detect_engine()` never raises; it describes what it found. `require_engine()` turns a
description into the one error a user can act on, with a remediation for their OS.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from packaging.version import InvalidVersion, Version

from . import _debian
from .errors import ComposeUnavailable, DaemonNotRunning, EngineNotFound

EngineKind = Literal["docker", "podman"]
OsKind = Literal["debian", "ubuntu", "macos", "wsl", "linux", "other"]

MIN_COMPOSE = Version("2.20")
PROBE_TIMEOUT = 10.0
OSRELEASE_KERNEL = Path("/proc/sys/kernel/osrelease")


class CommandResult(NamedTuple):
    """What a finished command said; returncode 127 = not found, 124 = timed out (as in shells)."""

    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str], float], CommandResult]
Which = Callable[[str], str | None]


def run_command(argv: Sequence[str], timeout: float = PROBE_TIMEOUT) -> CommandResult:
    """Run argv, capturing text output; never raises for a missing binary or a timeout."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        return CommandResult(127, "", str(exc))
    except subprocess.TimeoutExpired:
        return CommandResult(124, "", f"{argv[0]} did not answer within {timeout:g} s")
    return CommandResult(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class HostPlatform:
    """The host OS, as far as remediation and installation care."""

    kind: OsKind
    os_id: str = ""
    version_id: str = ""
    codename: str = ""

    @property
    def apt_based(self) -> bool:
        return self.kind in ("debian", "ubuntu")


def classify_platform(platform: str, kernel_release: str, release: dict[str, str]) -> HostPlatform:
    """Classify from sys.platform, the kernel release string and /etc/os-release fields."""
    if platform == "darwin":
        return HostPlatform("macos")
    if not platform.startswith("linux"):
        return HostPlatform("other")
    ids = {release.get("ID", ""), *release.get("ID_LIKE", "").split()}
    kind: OsKind = "linux"
    # WSL first: an Ubuntu on WSL2 should use Docker Desktop's integration, not a second engine.
    if "microsoft" in kernel_release.lower():
        kind = "wsl"
    elif "ubuntu" in ids:
        kind = "ubuntu"
    elif "debian" in ids:
        kind = "debian"
    return HostPlatform(
        kind,
        release.get("ID", ""),
        release.get("VERSION_ID", ""),
        release.get("VERSION_CODENAME", ""),
    )


def detect_platform() -> HostPlatform:
    """The platform of this host."""
    try:
        kernel = OSRELEASE_KERNEL.read_text(encoding="utf-8")
    except OSError:
        kernel = ""
    return classify_platform(sys.platform, kernel, _debian.os_release())


@dataclass(frozen=True)
class EngineInfo:
    """What detect_engine found. Empty strings/tuples mean "not found"."""

    kind: EngineKind | None
    client_path: str | None
    client_version: str | None
    server_version: str | None
    compose_argv: tuple[str, ...]
    compose_version: str | None
    daemon_running: bool
    daemon_error: str = ""

    @property
    def compose_ok(self) -> bool:
        """Compose v2 at MIN_COMPOSE or later was found."""
        version = parse_version(self.compose_version)
        return bool(self.compose_argv) and version is not None and version >= MIN_COMPOSE

    @property
    def ready(self) -> bool:
        return self.client_path is not None and self.daemon_running and self.compose_ok


_VERSION = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")


def parse_compose_version(output: str) -> str | None:
    """The version in `compose version` output, short or long, v1 or v2.

    >>> parse_compose_version("Docker Compose version v2.26.1")
    '2.26.1'
    >>> parse_compose_version("docker-compose version 1.29.2, build unknown")
    '1.29.2'
    """
    match = _VERSION.search(output)
    return match.group(1) if match else None


def parse_version(text: str | None) -> Version | None:
    """A packaging Version, or None for anything unparsable (distro suffixes are cut first)."""
    if not text:
        return None
    match = _VERSION.search(text)
    try:
        return Version(match.group(1)) if match else None
    except InvalidVersion:
        return None


def parse_version_json(output: str) -> tuple[str | None, str | None]:
    """(client, server) versions from `docker version --format '{{json .}}'`."""
    try:
        data = json.loads(output.strip().splitlines()[0]) if output.strip() else {}
    except (json.JSONDecodeError, IndexError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    client = (data.get("Client") or {}).get("Version")
    server = (data.get("Server") or {}).get("Version")
    return client, server


def _find_client(which: Which) -> tuple[EngineKind, str] | None:
    # Docker first: the stack is written for it; podman only where docker is absent.
    for kind in ("docker", "podman"):
        path = which(kind)
        if path:
            return kind, path
    return None


def _compose_candidates(client: str, which: Which) -> list[tuple[str, ...]]:
    # The CLI plugin (`docker compose`) first; a standalone v2 `docker-compose` binary next,
    # which is what some distributions ship instead of the plugin.
    # Names, not paths, so commands shown to users read as they would type them.
    candidates: list[tuple[str, ...]] = [(Path(client).name, "compose")]
    if which("docker-compose"):
        candidates.append(("docker-compose",))
    return candidates


def detect_compose(client: str, which: Which, run: Runner) -> tuple[tuple[str, ...], str | None]:
    """(argv, version) of the best compose found; ((), None) when there is none."""
    fallback: tuple[tuple[str, ...], str | None] = ((), None)
    for argv in _compose_candidates(client, which):
        result = run([*argv, "version"], PROBE_TIMEOUT)
        version = parse_compose_version(result.stdout) if result.returncode == 0 else None
        if version is None:
            continue
        parsed = parse_version(version)
        if parsed is not None and parsed >= MIN_COMPOSE:
            return argv, version
        if fallback[1] is None:
            fallback = (argv, version)  # keep a too-old one to name it in the error
    return fallback


def _daemon_error(kind: EngineKind, result: CommandResult) -> str:
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else f"`{kind} version` exited {result.returncode}"


def detect_engine(which: Which = shutil.which, run: Runner = run_command) -> EngineInfo:
    """Describe the engine on this host; never raises."""
    found = _find_client(which)
    if found is None:
        return EngineInfo(None, None, None, None, (), None, False)
    kind, client = found
    result = run([client, "version", "--format", "{{json .}}"], PROBE_TIMEOUT)
    client_version, server_version = parse_version_json(result.stdout)
    # `version` exits non-zero when the daemon does not answer but still prints the client part.
    running = result.returncode == 0 and server_version is not None
    if kind == "podman" and result.returncode == 0:
        # Local podman has no daemon and prints no Server part: the client is the engine.
        running, server_version = True, server_version or client_version
    error = "" if running else _daemon_error(kind, result)
    compose_argv, compose_version = detect_compose(client, which, run)
    return EngineInfo(
        kind, client, client_version, server_version, compose_argv, compose_version, running, error
    )


# --- remediation --------------------------------------------------------------------------------

SETUP_HINT = "run `paws-stack setup --yes` as root or with passwordless sudo"

_ENGINE_FIX: dict[OsKind, str] = {
    "debian": f"{SETUP_HINT}, or: sudo apt-get install -y docker.io iptables",
    "ubuntu": f"{SETUP_HINT}, or: sudo apt-get install -y docker.io iptables docker-compose-v2",
    "macos": "install Docker Desktop (https://docs.docker.com/desktop/setup/install/mac-install/)"
    " or colima: brew install colima docker docker-compose && colima start",
    "wsl": "install Docker Desktop for Windows and enable Settings > Resources > WSL integration"
    " for this distribution",
    "linux": "install Docker Engine for your distribution: https://docs.docker.com/engine/install/",
    "other": "install Docker: https://docs.docker.com/get-started/get-docker/",
}

_DAEMON_FIX: dict[OsKind, str] = {
    "debian": f"{SETUP_HINT} (it starts dockerd), or: sudo systemctl start docker",
    "ubuntu": f"{SETUP_HINT} (it starts dockerd), or: sudo systemctl start docker",
    "macos": "start Docker Desktop, or: colima start",
    "wsl": "start Docker Desktop on Windows and check that WSL integration is on for this"
    " distribution",
    "linux": "start the daemon: sudo systemctl start docker",
    "other": "start your Docker engine",
}

_COMPOSE_FIX: dict[OsKind, str] = {
    "debian": f"{SETUP_HINT} (it installs docker-compose v2 from Debian 13)",
    "ubuntu": f"{SETUP_HINT}, or: sudo apt-get install -y docker-compose-v2",
    "macos": "update Docker Desktop (it ships compose v2); with colima:"
    " brew install docker-compose",
    "wsl": "update Docker Desktop for Windows (it ships compose v2)",
    "linux": "install the compose v2 plugin: https://docs.docker.com/compose/install/linux/",
    "other": "install Docker Compose v2: https://docs.docker.com/compose/install/",
}

_PODMAN_DAEMON_FIX = "start the podman API service: systemctl --user start podman.socket"
_SOCKET_PERMISSION_FIX = (
    "allow your user to reach the daemon: sudo usermod -aG docker $USER, then log in again"
)


def engine_remediation(platform: HostPlatform) -> str:
    """How to install an engine on this OS."""
    return _ENGINE_FIX[platform.kind]


def daemon_remediation(info: EngineInfo, platform: HostPlatform) -> str:
    """How to get the daemon answering on this OS."""
    if "permission denied" in info.daemon_error.lower():
        return _SOCKET_PERMISSION_FIX
    if info.kind == "podman":
        return _PODMAN_DAEMON_FIX
    return _DAEMON_FIX[platform.kind]


def compose_remediation(platform: HostPlatform) -> str:
    """How to get compose v2 on this OS."""
    return _COMPOSE_FIX[platform.kind]


def _compose_problem(info: EngineInfo) -> str:
    if not info.compose_argv:
        return f"Docker Compose v2 (>= {MIN_COMPOSE}) was not found"
    found = " ".join(info.compose_argv)
    return f"{found} is version {info.compose_version}; paws needs compose v2 >= {MIN_COMPOSE}"


def require_engine(info: EngineInfo, platform: HostPlatform | None = None) -> EngineInfo:
    """Return `info` when client, daemon and compose are usable; else raise the matching error."""
    host = platform or detect_platform()
    if info.client_path is None:
        raise EngineNotFound(
            "no container engine found (neither docker nor podman is on PATH)",
            engine_remediation(host),
        )
    if not info.daemon_running:
        detail = f": {info.daemon_error}" if info.daemon_error else ""
        raise DaemonNotRunning(
            f"the {info.kind} daemon does not answer{detail}", daemon_remediation(info, host)
        )
    if not info.compose_ok:
        raise ComposeUnavailable(_compose_problem(info), compose_remediation(host))
    return info
