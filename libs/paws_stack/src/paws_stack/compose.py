"""Run docker compose for one project: the argv, the PAWS_* variables, and errors that explain."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ComposeError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComposeProject:
    """One compose project: which binary, which file, which project name and profile."""

    argv: tuple[str, ...]
    compose_files: tuple[Path, ...]
    project: str
    full_profile: bool
    env: dict[str, str] = field(default_factory=dict)
    # The exporters' compose profile (`observability`), on top of either stack.
    observability: bool = False

    def command(self, *args: str) -> list[str]:
        profile = ["--profile", "full"] if self.full_profile else []
        profile += ["--profile", "observability"] if self.observability else []
        files = [arg for path in self.compose_files for arg in ("-f", str(path))]
        return [*self.argv, *files, "-p", self.project, *profile, *args]

    def environment(self) -> dict[str, str]:
        # Only non-secret wiring goes here: image names, ports, paths. Passwords stay in files.
        return {**os.environ, **self.env}

    def run(self, *args: str, timeout: float | None = 600, check: bool = True) -> str:
        """Run a compose command and return its stdout; a failure is a ComposeError."""
        return self._completed(*args, timeout=timeout, check=check).stdout

    def planned_changes(self) -> dict[str, str]:
        """service -> why `up` would (re)create it, as compose itself decides (`--dry-run`).

        Asking compose rather than comparing `config --hash` with the containers' labels:
        compose 2.26 hashes differently in `config` for services whose optional dependencies
        the profile disables, and would report those as changed when they are not.
        """
        # The dry run reports its plan on stderr.
        result = self._completed("--dry-run", "up", "--detach", "--no-build", "--remove-orphans")
        return planned_services(result.stderr + result.stdout, self.project)

    def _completed(
        self, *args: str, timeout: float | None = 600, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        log.debug("compose run: project=%s args=%s", self.project, list(args))
        try:
            result = subprocess.run(
                self.command(*args),
                env=self.environment(),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ComposeError(
                f"`{' '.join(self.argv)} {' '.join(args)}` did not finish within {timeout:.0f} s",
                "check `docker info` answers, then retry",
            ) from None
        log.info(
            "compose done: project=%s args=%s rc=%s", self.project, list(args), result.returncode
        )
        if check and result.returncode != 0:
            raise ComposeError(
                f"`{' '.join(self.argv)} {' '.join(args)}` failed: {last_lines(result.stderr)}",
                "see docs/troubleshooting.md; `paws-stack logs` shows the services' output",
            )
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """Start a long compose command (up) whose output we follow."""
        return subprocess.Popen(
            self.command(*args),
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )


def stop_group(process: subprocess.Popen[str], timeout: float = 30) -> None:
    """Stop a command started by `popen` and everything it started.

    `docker compose` runs the compose plugin as a child process: SIGTERM to the `docker`
    process alone may leave the plugin creating containers. `popen` made the command the leader
    of its own process group, so the whole group gets the signal (SIGKILL after `timeout`).
    """
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def finish(
    process: subprocess.Popen[str],
    deadline: float,
    too_slow: Callable[[], Exception],
    tick: Callable[[], None] = lambda: None,
    poll: float = 0.5,
) -> str:
    """Wait for a `popen` command until `deadline` (then raise `too_slow()`), calling `tick`
    between polls; return its output. Whatever happens, the command is stopped."""
    try:
        while process.poll() is None:
            tick()
            if time.monotonic() > deadline:
                raise too_slow()
            time.sleep(poll)
    finally:
        stop_group(process)
    return process.stdout.read() if process.stdout else ""


def last_lines(text: str, count: int = 5) -> str:
    """The last non-empty lines of a command's output, joined for one message."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:]) or "(no output)"


# What compose's dry run says it would do to a container, and what that means to a user.
PLAN_ACTIONS = {"Creating": "missing", "Recreate": "definition changed"}


def planned_services(output: str, project: str) -> dict[str, str]:
    """service -> reason, for each service a `compose --dry-run up` transcript would (re)create.

    >>> out = "\\n".join([
    ...     " DRY-RUN MODE -  Container p-redis-0-1  Running",
    ...     " DRY-RUN MODE -  Container p-haproxy-1  Recreate",
    ...     " DRY-RUN MODE -  Container p-haproxy-1  Recreated",
    ...     " DRY-RUN MODE -  Container p-etcd-1-1  Creating",
    ... ])
    >>> planned_services(out, "p")
    {'etcd-1': 'missing', 'haproxy': 'definition changed'}
    """
    services = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) < 2 or words[-1] not in PLAN_ACTIONS or words[-3:-2] != ["Container"]:
            continue
        name = words[-2].removeprefix(f"{project}-")
        services[name.rsplit("-", 1)[0]] = PLAN_ACTIONS[words[-1]]
    return dict(sorted(services.items()))
