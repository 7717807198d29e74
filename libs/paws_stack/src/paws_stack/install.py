"""Install and start the container engine on Debian and Ubuntu; elsewhere, say how.

`ensure_engine` is a chain of small steps: look at the host, plan what is missing, ask, then run
each step (install the engine, install compose v2, start the daemon) and check again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

from . import podman
from ._composeinstall import install_compose
from .engine import (
    MIN_COMPOSE,
    EngineChoice,
    EngineInfo,
    EngineKind,
    HostPlatform,
    Runner,
    detect_engine,
    detect_platform,
    engine_remediation,
    require_engine,
    run_command,
)
from .errors import InstallError

Privilege = Literal["root", "sudo", "none"]
Step = Literal["install-engine", "install-compose", "start-daemon"]
Log = Callable[[str], None]

ENGINE_PACKAGES: dict[EngineKind, tuple[str, ...]] = {
    "docker": ("docker.io", "iptables"),
    "podman": podman.PACKAGES,
}
# (what is installed, what is started), as a plan names them.
_ENGINE_WORDS: dict[EngineKind, tuple[str, str]] = {
    "docker": ("the Docker engine", "the Docker daemon"),
    "podman": ("Podman", "Podman's API service (podman system service)"),
}


def _step_texts(kind: EngineKind) -> dict[Step, str]:
    engine, daemon = _ENGINE_WORDS[kind]
    return {
        "install-engine": f"install {engine} (apt-get install {' '.join(ENGINE_PACKAGES[kind])})",
        # Podman too: paws drives its API with Compose v2 (podman.py says why).
        "install-compose": f"install Docker Compose v2 (>= {MIN_COMPOSE})",
        "start-daemon": f"start {daemon}",
    }


STEP_TEXT = {kind: _step_texts(kind) for kind in _ENGINE_WORDS}
APT_TIMEOUT = 900.0
DAEMON_TIMEOUT = 60.0
DOCKERD_LOG = "paws-dockerd.log"


@dataclass(frozen=True)
class HostState:
    """What the installer needs to know about the host besides the engine."""

    platform: HostPlatform
    privilege: Privilege
    systemd: bool
    dockerd_path: str | None


def _privilege(run: Runner) -> Privilege:
    if os.geteuid() == 0:
        return "root"
    # -n: never prompt; a password prompt would hang a CI job.
    if shutil.which("sudo") and run(["sudo", "-n", "true"], 5.0).returncode == 0:
        return "sudo"
    return "none"


def _process_running(name: str, proc: Path = Path("/proc")) -> bool:
    """Whether any process's comm is `name` (Linux /proc; False where there is none)."""
    for comm in proc.glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text(encoding="utf-8").strip() == name:
                return True
    return False


def systemd_booted() -> bool:
    """sd_booted(3): systemd is the init system exactly when this directory exists."""
    return Path("/run/systemd/system").is_dir()


def detect_host(run: Runner = run_command) -> HostState:
    """Look at this host: OS, privileges, init system, dockerd binary."""
    return HostState(
        platform=detect_platform(),
        privilege=_privilege(run),
        systemd=systemd_booted(),
        dockerd_path=shutil.which("dockerd"),
    )


# --- planning -----------------------------------------------------------------------------------


def engine_kind(info: EngineInfo, choice: EngineChoice) -> EngineKind:
    """The engine setup makes usable: the one found, else the one asked for (docker for auto)."""
    return info.kind or ("podman" if choice == "podman" else "docker")


def plan_steps(info: EngineInfo, host: HostState, choice: EngineChoice = "auto") -> list[Step]:
    """The steps that would make the engine usable; [] when none apply (or we may not act here)."""
    if info.ready or not host.platform.apt_based:
        return []
    if "permission denied" in info.daemon_error.lower():
        return []  # the daemon runs; the user lacks access, which installing cannot fix
    steps: list[Step] = []
    if engine_kind(info, choice) == "podman":
        missing = info.client_path is None
    else:
        # A bare docker client (no dockerd) is common: the engine counts as missing then.
        missing = not info.daemon_running and host.dockerd_path is None
    if missing:
        steps.append("install-engine")
    if not info.compose_ok:
        steps.append("install-compose")
    if not info.daemon_running:
        steps.append("start-daemon")
    return steps


def _needs_root(steps: list[Step], kind: EngineKind) -> bool:
    # Podman's service runs as whoever starts it (rootless for a user); dockerd needs root.
    return any(step != "start-daemon" or kind == "docker" for step in steps)


def check_privilege(steps: list[Step], host: HostState, kind: EngineKind = "docker") -> None:
    """Raise when steps need root but we can neither be root nor use passwordless sudo."""
    if _needs_root(steps, kind) and host.privilege == "none":
        todo = "; ".join(STEP_TEXT[kind][step] for step in steps)
        raise InstallError(
            f"setup needs to {todo}, but runs neither as root nor with passwordless sudo",
            f"re-run as root (sudo paws-stack setup --yes), or yourself: "
            f"{engine_remediation(host.platform)}",
        )


def ask_yes_no(question: str) -> bool:
    """Ask on the terminal; anything but y/yes (or end of input) is a no."""
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def get_consent(
    steps: list[Step],
    *,
    assume_yes: bool,
    ci: bool,
    interactive: bool,
    ask: Callable[[str], bool] = ask_yes_no,
    kind: EngineKind = "docker",
) -> None:
    """Return when we may change the host; raise InstallError when we may not."""
    if assume_yes or ci:
        return
    todo = "; ".join(STEP_TEXT[kind][step] for step in steps)
    if not interactive:
        raise InstallError(
            f"setup needs to {todo}, and will not do so without asking (no terminal)",
            "re-run with --yes (CI=true has the same effect)",
        )
    if not ask(f"paws needs to {todo}. Proceed?"):
        raise InstallError(f"setup cancelled; still needed: {todo}", "re-run and answer y")


# --- steps --------------------------------------------------------------------------------------


@dataclass
class Context:
    """What the steps share: the host, how to run and log, where to put files."""

    host: HostState
    log: Log
    run: Runner = run_command
    kind: EngineKind = "docker"
    log_dir: Path | None = None
    work_dir: Path | None = None
    detect: Callable[[], EngineInfo] = detect_engine
    # Asked live, not planned: installing docker.io may itself have started a daemon.
    dockerd_running: Callable[[], bool] = lambda: _process_running("dockerd")
    apt_updated: bool = field(default=False, init=False)

    def as_root(self, argv: list[str], what: str, timeout: float = APT_TIMEOUT) -> str:
        """Run argv as root (directly or through sudo -n); raise InstallError naming `what`."""
        prefix = [] if self.host.privilege == "root" else ["sudo", "-n"]
        # DEBIAN_FRONTEND through env(1): sudo would drop it from our environment.
        result = self.run([*prefix, "env", "DEBIAN_FRONTEND=noninteractive", *argv], timeout)
        if result.returncode != 0:
            tail = " / ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            raise InstallError(
                f"{what} failed (exit {result.returncode}): {tail}",
                f"run it yourself to see the full output: {' '.join(argv)}",
            )
        return result.stdout

    def apt_update(self) -> None:
        """apt-get update, once per run: a fresh host may have stale or no package lists."""
        if not self.apt_updated:
            self.log("setup: apt-get update")
            self.as_root(["apt-get", "update", "-q"], "apt-get update")
            self.apt_updated = True


def install_engine(ctx: Context) -> None:
    """apt-get install the engine: docker.io and iptables (on Debian 12: Engine 20.10,
    containerd, runc), or Podman with netavark, without the rootless extras it recommends."""
    packages = ENGINE_PACKAGES[ctx.kind]
    lean = ["--no-install-recommends"] if ctx.kind == "podman" else []
    ctx.apt_update()
    ctx.log(f"setup: apt-get install {' '.join(packages)}")
    ctx.as_root(["apt-get", "install", "-y", "-q", *lean, *packages], "installing the engine")


def dockerd_log_path(ctx: Context) -> Path:
    """Where a dockerd we launch writes: /var/log as root, else the given or temp directory."""
    if ctx.log_dir is not None:
        return ctx.log_dir / DOCKERD_LOG
    base = Path("/var/log") if ctx.host.privilege == "root" else Path(tempfile.gettempdir())
    return base / DOCKERD_LOG


def launch_dockerd(ctx: Context, log_path: Path) -> subprocess.Popen[bytes]:
    """Start dockerd detached: its own session, so Ctrl-C on us or our exit leaves it running."""
    prefix = [] if ctx.host.privilege == "root" else ["sudo", "-n"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        return subprocess.Popen(
            [*prefix, shutil.which("dockerd") or "dockerd"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _log_tail(path: Path, lines: int = 3) -> str:
    try:
        return " / ".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_for_daemon(
    ctx: Context,
    log_path: Path | None,
    process: subprocess.Popen[bytes] | None = None,
    timeout: float = DAEMON_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll the engine until it answers (`docker info`; Podman's service through detection);
    raise InstallError naming the wait and its timeout."""
    where = f"; see {log_path}" if log_path else ""
    daemon, asked, probe = _DAEMON_PROBES[ctx.kind]

    def answers() -> bool:
        if process is not None and process.poll() is not None:
            raise InstallError(
                f"{daemon} exited with code {process.returncode}: "
                f"{_log_tail(log_path) if log_path else ''}",
                f"read the daemon's log{where}",
            )
        return probe(ctx)

    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(0.5),
        retry=retry_if_result(lambda ok: ok is False),
        sleep=sleep,
    )
    try:
        retrying(answers)
    except RetryError:
        raise InstallError(
            f"{daemon} did not answer {asked} within {timeout:g} s",
            f"read the daemon's log{where}",
        ) from None


def _docker_answers(ctx: Context) -> bool:
    return ctx.run(["docker", "info", "--format", "{{.ServerVersion}}"], 5.0).returncode == 0


# The daemon's name, what asking it means, and the question.
_DAEMON_PROBES: dict[EngineKind, tuple[str, str, Callable[[Context], bool]]] = {
    "docker": ("dockerd", "`docker info`", _docker_answers),
    "podman": ("podman system service", "`podman --remote version`",
               lambda ctx: ctx.detect().daemon_running),
}  # fmt: skip


def start_podman_service(ctx: Context) -> None:
    """Start Podman's API service: its socket unit under systemd, else a detached service."""
    if ctx.host.systemd:
        ctx.log("setup: systemctl start podman.socket")
        ctx.as_root(["systemctl", "start", "podman.socket"], "starting podman.socket", 120.0)
        wait_for_daemon(ctx, None)
        return
    url = podman.docker_host()
    log_path = dockerd_log_path(ctx).with_name(podman.SERVICE_LOG)
    conf = (ctx.log_dir or log_path.parent) / podman.CONF_FILE
    ctx.log(f"setup: starting podman system service at {url} (log: {log_path})")
    wait_for_daemon(ctx, log_path, podman.launch_service(url, conf, log_path))


def start_daemon(ctx: Context) -> None:
    """Start the daemon the way this host expects, unless it already answers or is starting."""
    if ctx.detect().daemon_running:
        return
    if ctx.kind == "podman":
        start_podman_service(ctx)
        return
    if ctx.host.systemd:
        ctx.log("setup: systemctl start docker")
        ctx.as_root(["systemctl", "start", "docker"], "starting docker with systemd", 120.0)
        wait_for_daemon(ctx, None)
        return
    if ctx.dockerd_running():
        # Someone (an init script, another shell) already launched it: wait, never start twice.
        ctx.log("setup: dockerd is already starting; waiting for it")
        wait_for_daemon(ctx, None)
        return
    log_path = dockerd_log_path(ctx)
    ctx.log(f"setup: starting dockerd in the background (log: {log_path})")
    wait_for_daemon(ctx, log_path, launch_dockerd(ctx, log_path))


STEPS: dict[Step, Callable[[Context], None]] = {
    "install-engine": install_engine,
    "install-compose": install_compose,
    "start-daemon": start_daemon,
}


def ensure_engine(
    assume_yes: bool,
    interactive: bool,
    log: Log,
    *,
    ci: bool = False,
    log_dir: Path | None = None,
    work_dir: Path | None = None,
    ask: Callable[[str], bool] = ask_yes_no,
    host: HostState | None = None,
    detect: Callable[[], EngineInfo] | None = None,
    run: Runner = run_command,
    choice: EngineChoice = "auto",
) -> EngineInfo:
    """Make the engine usable (install/start on Debian/Ubuntu) or raise with the remediation."""
    host = host or detect_host(run)
    detect = detect or functools.partial(detect_engine, choice=choice)
    info = detect()
    steps = plan_steps(info, host, choice)
    if not steps:
        return require_engine(info, host.platform, choice)
    kind = engine_kind(info, choice)
    check_privilege(steps, host, kind)
    get_consent(steps, assume_yes=assume_yes, ci=ci, interactive=interactive, ask=ask, kind=kind)
    ctx = Context(host, log, run, kind, log_dir, work_dir, detect)
    for step in steps:
        STEPS[step](ctx)
    return require_engine(detect(), host.platform, choice)
