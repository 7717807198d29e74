"""Run docker compose for one project: the argv, the PAWS_* variables, and errors that explain."""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ComposeError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComposeProject:
    """One compose project: which binary, which file, which project name and profile."""

    argv: tuple[str, ...]
    compose_file: Path
    project: str
    full_profile: bool
    env: dict[str, str] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        profile = ["--profile", "full"] if self.full_profile else []
        return [*self.argv, "-f", str(self.compose_file), "-p", self.project, *profile, *args]

    def environment(self) -> dict[str, str]:
        # Only non-secret wiring goes here: image names, ports, paths. Passwords stay in files.
        return {**os.environ, **self.env}

    def run(self, *args: str, timeout: float | None = 600, check: bool = True) -> str:
        """Run a compose command and return its stdout; a failure is a ComposeError."""
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
        return result.stdout

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


def last_lines(text: str, count: int = 5) -> str:
    """The last non-empty lines of a command's output, joined for one message."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:]) or "(no output)"
