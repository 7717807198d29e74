"""One lock per project: `setup`, `up`, `down`, `simulate`, backup and restore never overlap.

The lock is `flock` on `.paws/locks/<project>.lock`; the kernel releases it when its holder
exits, however it exits, so a lock is never stale. The holder writes who it is into the file
(pid, command, start time) so that a second command can say what it is waiting for.

The path is the contract: any tool (paws_chaos, a backup script) that takes the same file
with `flock` excludes the others. Within one process the lock is re-entrant, so `up` may call
`setup` under the lock it already holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_delay
from tenacity.stop import stop_never
from tenacity.wait import wait_fixed

from .errors import ProjectBusy

P = ParamSpec("P")
R = TypeVar("R")
Report = Callable[[str], None]
POLL_S = 0.5
# How often a waiting command repeats what it waits for.
PROGRESS_EVERY_S = 10.0

# Re-entrancy: lock path -> (open file, depth). flock locks belong to an open file, so a second
# open() and flock() in the same process would wait for itself.
_held: dict[Path, tuple[int, int]] = {}
_guard = threading.Lock()


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as its holder wrote it."""

    pid: int
    command: str
    started: float
    operation: str = ""

    def describe(self, now: float | None = None) -> str:
        held = (now or time.time()) - self.started
        return f"`{self.command}` (pid {self.pid}, for {held:.0f} s)"

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        """The holder from the file's text; None while a new holder has not written it yet.

        >>> Holder.parse('{"pid": 7, "command": "paws-stack up", "started": 0}').command
        'paws-stack up'
        >>> Holder.parse("") is None
        True
        """
        try:
            data = json.loads(text)
            return cls(
                int(data["pid"]),
                str(data["command"]),
                float(data["started"]),
                str(data.get("operation", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None


class _Busy(Exception):
    """The lock is taken; carries who holds it."""

    def __init__(self, holder: Holder | None) -> None:
        super().__init__("busy")
        self.holder = holder


def lock_path(state_dir: Path, project: str) -> Path:
    """Where the lock of `project` lives: the contract every paws tool shares."""
    return state_dir / "locks" / f"{project}.lock"


def current_command() -> str:
    """How this process was started, for the message a waiting command prints."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("python")
    # `python -m paws_stack.cli` runs .../paws_stack/cli.py: name it as its console script.
    name = script.parent.name.replace("_", "-") if script.name == "cli.py" else script.name
    return " ".join([name, *sys.argv[1:]])[:200]


@dataclass(frozen=True)
class ProjectLock:
    """The lock of one project (both profiles share it: they share the secrets)."""

    path: Path
    subject: str  # for messages: "project paws", "the image build"

    @classmethod
    def of(cls, state_dir: Path, project: str) -> ProjectLock:
        return cls(lock_path(state_dir, project), f"project {project}")

    def holder(self) -> Holder | None:
        """Who holds the lock now; None when free, or when the holder wrote nothing yet."""
        return self._recorded() if self._taken() else None

    def _recorded(self) -> Holder | None:
        try:
            return Holder.parse(self.path.read_text(encoding="utf-8"))
        except OSError:
            return None

    def _taken(self) -> bool:
        if self.path in _held:
            return True
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    @contextlib.contextmanager
    def hold(
        self,
        operation: str,
        wait: bool = True,
        report: Report | None = None,
        timeout: float | None = None,
    ) -> Iterator[None]:
        """Hold the lock for the block: wait for it (saying for whom), or fail fast."""
        with _guard:
            again = self.path in _held
            if again:
                fd, depth = _held[self.path]
                _held[self.path] = (fd, depth + 1)
        if not again:
            fd = self._acquire(operation, wait, report or _silent, timeout)
            with _guard:
                _held[self.path] = (fd, 1)
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with _guard:
            fd, depth = _held[self.path]
            if depth > 1:
                _held[self.path] = (fd, depth - 1)
                return
            del _held[self.path]
        # Empty the file first so that nobody reads a holder that is gone.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the last descriptor releases the flock

    def _acquire(self, operation: str, wait: bool, report: Report, timeout: float | None) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if wait:
                self._wait_for(fd, report, timeout)
            else:
                self._try(fd)
        except _Busy as busy:
            os.close(fd)
            raise self._busy_error(busy.holder, waited=wait, timeout=timeout) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        record = {
            "pid": os.getpid(),
            "command": current_command(),
            "operation": operation,
            "started": time.time(),
        }
        os.pwrite(fd, json.dumps(record).encode(), 0)
        return fd

    def _try(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _Busy(self._recorded()) from None

    def _wait_for(self, fd: int, report: Report, timeout: float | None) -> None:
        try:
            self._try(fd)
            return
        except _Busy as busy:
            report(self._waiting_line(busy.holder))
        waited = _Announcer(report, self)
        retrying = Retrying(
            retry=retry_if_exception_type(_Busy),
            wait=wait_fixed(POLL_S),
            stop=stop_after_delay(timeout) if timeout is not None else stop_never,
            before_sleep=waited,
            reraise=True,
        )
        retrying(self._try, fd)

    def _waiting_line(self, holder: Holder | None) -> str:
        who = holder.describe() if holder else "another paws command"
        return (
            f"waiting for {who} to finish with {self.subject} "
            "(Ctrl-C to give up; --no-wait fails at once instead)"
        )

    def _busy_error(
        self, holder: Holder | None, waited: bool, timeout: float | None
    ) -> ProjectBusy:
        who = holder.describe() if holder else "another paws command"
        if waited:
            return ProjectBusy(
                f"{self.subject} is still busy after {timeout:.0f} s: {who} holds {self.path}",
                "wait for that command to finish (or stop it), then run this one again",
            )
        return ProjectBusy(
            f"{self.subject} is busy: {who} holds {self.path}",
            "wait for that command to finish, or run this one again without --no-wait to queue",
        )


class _Announcer:
    """tenacity's before_sleep: repeat whom we wait for every PROGRESS_EVERY_S seconds."""

    def __init__(self, report: Report, lock: ProjectLock) -> None:
        self._report = report
        self._lock = lock
        self._last = time.monotonic()

    def __call__(self, state: RetryCallState) -> None:
        if time.monotonic() - self._last < PROGRESS_EVERY_S:
            return
        self._last = time.monotonic()
        holder = self._lock._recorded()
        who = holder.describe() if holder else "another paws command"
        self._report(f"still waiting for {who} ({state.seconds_since_start or 0:.0f} s so far)")


def _silent(text: str) -> None:
    return None


class _HasLock(Protocol):
    @property
    def lock(self) -> ProjectLock: ...

    @property
    def progress(self) -> Any: ...


def locked(command: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run a Stack method under its project lock (waiting, with progress, when it is taken)."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            owner: _HasLock = args[0]  # type: ignore[assignment]
            with owner.lock.hold(command, report=owner.progress.message):
                return method(*args, **kwargs)

        run.__name__ = method.__name__
        run.__doc__ = method.__doc__
        run.__wrapped__ = method  # type: ignore[attr-defined]
        return run

    return decorate
