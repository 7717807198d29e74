"""What an image build tells: steps for people, counts for a progress bar, raw lines for a log.

debootstrap, apt, Maven, npm and `docker build` print hundreds to thousands of lines. People
get one line per step (and, on a terminal, one bar with a count); every raw line goes to
`.paws/logs/build.log`, which an error names.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TextIO

from .progress import Progress

# `docker build` progress as the engine streams it: "Step 7/12 : COPY ...".
DOCKER_STEP = re.compile(r"^Step (\d+)/(\d+) :")


class BuildReport:
    """Handed to every build step. Calling it reports a step; `raw` only logs a line."""

    def __init__(self, progress: Progress, log_path: Path) -> None:
        self._progress = progress
        self.log_path = log_path
        self._log: TextIO | None = None
        self._started = time.monotonic()

    def __call__(self, text: str) -> None:
        self._progress.message(text)
        self.raw(f"== {text}")

    def raw(self, line: str) -> None:
        if self._log is None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("w", encoding="utf-8")
        self._log.write(f"[{time.monotonic() - self._started:7.1f}s] {line.rstrip()}\n")
        self._log.flush()

    def count(self, what: str, done: int, total: int | None = None) -> None:
        self._progress.count(what, done, total)

    def docker_line(self, what: str, line: str) -> None:
        """A line of `docker build` output: logged, and its "Step N/M" moves the bar."""
        self.raw(line)
        step = DOCKER_STEP.match(line)
        if step:
            self.count(what, int(step.group(1)), int(step.group(2)))

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
