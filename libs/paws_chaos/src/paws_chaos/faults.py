"""Faults: small callables that return a `Fault`, a context manager whose undo always runs.

>>> from paws_chaos._logging import configure
>>> configure()  # diagnostic logs to stderr, warnings only (the CLI does the same)
>>> log = []
>>> fault = Fault("demo", "x", lambda: log.append("in"), lambda: log.append("out"), "nothing")
>>> with fault:
...     log.append("body")
>>> log
['in', 'body', 'out']

Faults compose with `+` (injected left to right, undone right to left):
`with pause(replica) + isolate(replica, peers): ...`. An undo runs on a normal exit, on an
exception, on Ctrl-C and (through the CLI's handler) on SIGTERM and SIGHUP; a second signal
during an undo is held back until the undo is done.

Each fault also describes its undo as data (`Fault.records`, `journal.Undo`), so the fault
journal can list it before the injection and `paws-chaos recover` can undo it from another
process if this one is killed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Protocol

import structlog
from docker.errors import APIError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from ._signals import signals_held
from .errors import FaultNotInjected, PawsChaosError, RollbackFailed
from .journal import Action, Undo

log = structlog.get_logger("paws_chaos.faults")

UNDO_ATTEMPTS = 3
UNDO_PAUSE_S = 1.0
FREEZE_ATTEMPTS = 3
FREEZE_PAUSE_S = 0.5


class Container(Protocol):
    """What faults need of a docker SDK container."""

    id: str
    name: str
    status: str
    attrs: dict[str, Any]

    def kill(self, signal: str = ...) -> None: ...
    def start(self) -> None: ...
    def stop(self, timeout: int = ...) -> None: ...
    def pause(self) -> None: ...
    def unpause(self) -> None: ...
    def reload(self) -> None: ...


class Fault:
    """One injected fault: `inject` on enter, `undo` on exit, always."""

    def __init__(
        self,
        kind: str,
        target: str,
        inject: Callable[[], None],
        undo: Callable[[], None],
        remediation: str,
        records: Sequence[Undo] = (),
    ) -> None:
        self.kind = kind
        self.target = target
        self._inject = inject
        self._undo = undo
        self.remediation = remediation
        # The undo as data, for the journal; empty for one-way actions (nothing to undo).
        self.records = list(records)
        self.injected_at: float | None = None
        self.undo_error: str | None = None

    def __repr__(self) -> str:
        return f"{self.kind}({self.target})"

    def __add__(self, other: Fault) -> Fault:
        return Faults([*_parts(self), *_parts(other)])

    def __enter__(self) -> Fault:
        log.info("fault.inject", fault=repr(self))
        try:
            self._inject()
        except BaseException as error:
            # Half an injection is still an injection: undo whatever took.
            self._run_undo()
            if isinstance(error, Exception) and not isinstance(error, PawsChaosError):
                raise FaultNotInjected(
                    f"could not inject {self!r}: {type(error).__name__}: {error}",
                    "nothing of it stayed in place; check the engine (`docker info`, "
                    "`paws-stack health`) and run the scenario again",
                ) from error
            raise
        self.injected_at = time.monotonic()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._run_undo()
        if self.undo_error is None:
            return
        if exc is not None:
            # The body's own error is the story; the failed undo rides along as a note.
            exc.add_note(f"undo of {self!r} failed: {self.undo_error}")
            return
        raise RollbackFailed(f"undo of {self!r} failed: {self.undo_error}", self.remediation)

    def _run_undo(self) -> None:
        with signals_held():
            for attempt in range(1, UNDO_ATTEMPTS + 1):
                try:
                    self._undo()
                except Exception as error:
                    self.undo_error = f"{type(error).__name__}: {error}"
                    log.warning("fault.undo_failed", fault=repr(self), attempt=attempt)
                    time.sleep(UNDO_PAUSE_S)
                    continue
                self.undo_error = None
                log.info("fault.undone", fault=repr(self))
                return


class Faults(Fault):
    """Several faults as one: injected in order, undone in reverse, every undo attempted."""

    def __init__(self, parts: list[Fault]) -> None:
        super().__init__(
            "+".join(p.kind for p in parts),
            ", ".join(p.target for p in parts),
            self._inject_all,
            self._undo_all,
            "; ".join(p.remediation for p in parts),
            [record for part in parts for record in part.records],
        )
        self.parts = parts
        self._entered: list[Fault] = []

    def __repr__(self) -> str:
        return " + ".join(repr(p) for p in self.parts)

    def _inject_all(self) -> None:
        for part in self.parts:
            part.__enter__()
            self._entered.append(part)

    def _undo_all(self) -> None:
        errors = []
        while self._entered:
            part = self._entered.pop()
            part._run_undo()
            if part.undo_error:
                errors.append(f"{part!r}: {part.undo_error}")
        if errors:
            raise RuntimeError("; ".join(errors))


def _parts(fault: Fault) -> list[Fault]:
    return fault.parts if isinstance(fault, Faults) else [fault]


def _running(container: Container) -> bool:
    container.reload()
    return container.status in ("running", "paused")


def _record(action: Action, container: Container) -> list[Undo]:
    return [Undo(action=action, container=container.id, name=container.name)]


def _start(container: Container) -> Callable[[], None]:
    def undo() -> None:
        if not _running(container):
            container.start()

    return undo


def kill(container: Container) -> Fault:
    """SIGKILL the container (a crash); undo starts it again."""
    return Fault(
        "kill",
        container.name,
        lambda: container.kill(signal="SIGKILL"),
        _start(container),
        f"docker start {container.name}",
        _record("start", container),
    )


def stop(container: Container, timeout: int = 20) -> Fault:
    """Stop the container gracefully (SIGTERM, then SIGKILL after `timeout`); undo starts it."""
    return Fault(
        "stop",
        container.name,
        lambda: container.stop(timeout=timeout),
        _start(container),
        f"docker start {container.name}",
        _record("start", container),
    )


def pause(container: Container) -> Fault:
    """Freeze every process of the container (cgroup freezer); undo thaws it."""

    def undo() -> None:
        container.reload()
        if container.status == "paused":
            container.unpause()

    remediation = f"docker unpause {container.name}"
    records = _record("unpause", container)
    return Fault("pause", container.name, lambda: _freeze(container), undo, remediation, records)


def _freeze(container: Container) -> None:
    # cgroup v1's freezer gives up ("unable to freeze") when a task stays in uninterruptible
    # sleep through runc's retries, e.g. PostgreSQL in fsync on a busy disk. Seen once in CI;
    # a moment later the freeze takes.
    for attempt in Retrying(
        retry=retry_if_exception_type(APIError),
        stop=stop_after_attempt(FREEZE_ATTEMPTS),
        wait=wait_fixed(FREEZE_PAUSE_S),
        reraise=True,
    ):
        with attempt:
            container.pause()


def stop_members(containers: list[Container], timeout: int = 20) -> Fault:
    """Stop several members (e.g. 2 of 3 etcd); undo starts every one of them."""
    return Faults([stop(c, timeout) for c in containers])


def action(kind: str, target: str, run: Callable[[], None]) -> Fault:
    """A one-way event such as a switchover: the cluster heals itself, nothing to undo."""
    return Fault(kind, target, run, lambda: None, "nothing to undo")


def wait_for(
    predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.25
) -> object:
    """Poll `predicate` until truthy; raise TimeoutError naming `what` and `timeout`."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:
            last = error
        time.sleep(interval)
    raise TimeoutError(f"{what}: not true within {timeout:.0f} s (last error: {last})")
