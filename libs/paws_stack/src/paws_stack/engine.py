"""Find the container engine: client, compose v2, and whether the daemon answers.

`detect_engine()` never raises; it describes what it found. `require_engine()` turns a
description into the one error a user can act on, with a remediation for their OS.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from packaging.version import InvalidVersion, Version

from . import _debian, podman
from .errors import ComposeUnavailable, DaemonNotRunning, EngineNotFound

EngineKind = Literal["docker", "podman"]
# PAWS_ENGINE: `auto` takes docker where its client is installed, else podman.
EngineChoice = Literal["auto", "docker", "podman"]
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
    # The DOCKER_HOST that the docker SDK, CLI and compose need for this engine (Podman's API
    # socket); None: their own default (DOCKER_HOST, the context, /var/run/docker.sock).
    docker_host: str | None = None

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


def _find_client(which: Which, choice: EngineChoice) -> tuple[EngineKind, str] | None:
    # Docker first: the stack is written for it; podman only where docker is absent.
    kinds: tuple[EngineKind, ...] = ("docker", "podman") if choice == "auto" else (choice,)
    for kind in kinds:
        path = which(kind)
        if path:
            return kind, path
    return None


def _compose_candidates(which: Which) -> list[tuple[str, ...]]:
    # The CLI plugin (`docker compose`) first; a standalone v2 `docker-compose` binary next,
    # which is what some distributions ship instead of the plugin. Podman uses them too,
    # through its API socket: never `podman compose`, which may run podman-compose.
    # Names, not paths, so commands shown to users read as they would type them.
    candidates: list[tuple[str, ...]] = [("docker", "compose")] if which("docker") else []
    if which("docker-compose"):
        candidates.append(("docker-compose",))
    return candidates


def detect_compose(which: Which, run: Runner) -> tuple[tuple[str, ...], str | None]:
    """(argv, version) of the best compose found; ((), None) when there is none."""
    fallback: tuple[tuple[str, ...], str | None] = ((), None)
    for argv in _compose_candidates(which):
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


def _version_argv(kind: EngineKind, client: str, docker_host: str | None) -> list[str]:
    # Podman's own CLI needs no service; asked as a remote client, it answers only through one,
    # which is what compose and the SDK will use.
    remote = ["--remote", "--url", docker_host] if kind == "podman" and docker_host else []
    return [client, *remote, "version", "--format", "{{json .}}"]


def detect_engine(
    which: Which = shutil.which,
    run: Runner = run_command,
    *,
    choice: EngineChoice = "auto",
    environ: Mapping[str, str] = os.environ,
) -> EngineInfo:
    """Describe the engine on this host (`choice` as PAWS_ENGINE); never raises."""
    found = _find_client(which, choice)
    if found is None:
        return EngineInfo(None, None, None, None, (), None, False)
    kind, client = found
    docker_host = podman.docker_host(environ) if kind == "podman" else None
    result = run(_version_argv(kind, client, docker_host), PROBE_TIMEOUT)
    client_version, server_version = parse_version_json(result.stdout)
    # `version` exits non-zero when the daemon does not answer but still prints the client part.
    running = result.returncode == 0 and server_version is not None
    error = "" if running else _daemon_error(kind, result)
    compose_argv, compose_version = detect_compose(which, run)
    return EngineInfo(
        kind, client, client_version, server_version, compose_argv, compose_version, running,
        error, docker_host,
    )  # fmt: skip


def point_clients_at(info: EngineInfo) -> None:
    """Export the engine's address, when it needs one, to this process: the docker SDK reads
    DOCKER_HOST, and the compose and CLI processes paws starts inherit it. CONTAINER_HOST makes
    a podman CLI a client of the same service (`--remote`), not an engine of its own."""
    if info.docker_host is not None:
        os.environ["DOCKER_HOST"] = info.docker_host
        if info.kind == "podman":
            os.environ["CONTAINER_HOST"] = info.docker_host


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

_PODMAN_DAEMON_FIX = (
    f"{SETUP_HINT} (it starts `podman system service`), or: systemctl --user start podman.socket"
)
_PODMAN_APT_FIX = f"{SETUP_HINT}, or: sudo apt-get install -y {' '.join(podman.PACKAGES)}"
_PODMAN_FIX = "install Podman 4 or later: https://podman.io/docs/installation"
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


def _engine_missing(choice: EngineChoice, host: HostPlatform) -> EngineNotFound:
    if choice == "auto":
        return EngineNotFound(
            "no container engine found (neither docker nor podman is on PATH)",
            engine_remediation(host),
        )
    if choice == "docker":
        fix = engine_remediation(host)
    else:
        fix = _PODMAN_APT_FIX if host.apt_based else _PODMAN_FIX
    return EngineNotFound(
        f"PAWS_ENGINE={choice}, but {choice} is not on PATH",
        f"{fix}; or unset PAWS_ENGINE to use the engine that is installed",
    )


def require_engine(
    info: EngineInfo, platform: HostPlatform | None = None, choice: EngineChoice = "auto"
) -> EngineInfo:
    """Return `info` when client, daemon and compose are usable; else raise the matching error."""
    host = platform or detect_platform()
    if info.client_path is None:
        raise _engine_missing(choice, host)
    if not info.daemon_running:
        detail = f": {info.daemon_error}" if info.daemon_error else ""
        raise DaemonNotRunning(
            f"the {info.kind} daemon does not answer{detail}", daemon_remediation(info, host)
        )
    if not info.compose_ok:
        raise ComposeUnavailable(_compose_problem(info), compose_remediation(host))
    return info
