"""The fault journal: on disk *before* each injection, what must be undone; gone after the undo.

A closed terminal, a SIGKILL or a crashed machine can end an experiment between an injection and
its undo. The journal is what `paws-chaos recover` then undoes. Its path and format are a small
contract that paws_stack reads without importing paws_chaos (see `paws_stack.interrupted` and
docs/chaos.md, "The fault journal").

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> journal = Journal(folder / "active.json", "demo", "leader-freeze")
>>> undo = Undo(action="unpause", container="c1", name="p-1")
>>> key = journal.add("pause", "pause(patroni-1)", [undo])
>>> [e.what for e in load_journal(folder / "active.json", "demo").faults]
['pause(patroni-1)']
>>> journal.discard(key)
>>> (folder / "active.json").exists()
False
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from paws_stack.interrupted import (
    RECOVER_COMMAND,
    journal_path,
    process_alive,
    process_start,
)

from .errors import CouldNotRun

Action = Literal[
    "unpause",
    "connect",
    "start",
    "remove_rules",
    "remove_netem",
    "drop_table",
    "delete_keys",
    "delete_notes",
]
# The order recovery applies undos in: a paused container cannot be started or reconnected,
# a network is best attached before the container starts, rules need a running namespace,
# and workload data needs a healthy stack.
ORDER: tuple[Action, ...] = (
    "unpause",
    "connect",
    "start",
    "remove_rules",
    "remove_netem",
    "drop_table",
    "delete_keys",
    "delete_notes",
)
WORKLOAD_ACTIONS = ("drop_table", "delete_keys", "delete_notes")


class Undo(BaseModel):
    """One thing to undo, as data: enough to do it in another process, days later."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    action: Action
    container: str = ""  # container id (names can be reused by a recreated container)
    name: str = ""  # container name, for messages
    network: str = ""
    aliases: tuple[str, ...] = ()
    table: str = ""
    prefix: str = ""  # delete_keys: the Redis key prefix; delete_notes: the run's tag
    comment: str = ""  # remove_rules: the comment every rule paws adds carries

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two undos the same, whoever found them (journal or recognition)."""
        return (self.action, self.container or self.name, self.network or self.table or self.prefix)

    def describe(self) -> str:
        """One line for a person, e.g. `unpause pawschaos-patroni-1-1`.

        >>> Undo(action="connect", name="p-etcd-0-1", network="p_infra").describe()
        'connect p-etcd-0-1 to p_infra'
        """
        target = self.name or self.container[:12]
        return {
            "unpause": f"unpause {target}",
            "start": f"start {target}",
            "connect": f"connect {target} to {self.network}",
            "remove_rules": f"remove paws-chaos iptables rules in {target}",
            "remove_netem": f"remove the netem qdisc in {target}",
            "drop_table": f"drop table {self.table}",
            "delete_keys": f"delete Redis keys {self.prefix}:*",
            "delete_notes": f"delete the HTTP workload's notes paws-chaos:{self.prefix}:*",
        }[self.action]


class Entry(BaseModel):
    """One fault or workload of the experiment and the undos that clean it up."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    kind: str = ""  # the fault's kind (pause, isolate+pause, ...) or the workload's
    what: str
    undo: tuple[Undo, ...]


class Document(BaseModel):
    """The journal file's content (format 1)."""

    model_config = ConfigDict(extra="ignore")

    format: Literal[1] = 1  # paws_stack.interrupted.JOURNAL_FORMAT
    project: str
    pid: int
    pid_start: int | None = None
    scenario: str = ""
    started_at: str = ""
    faults: list[Entry] = Field(default_factory=list)
    workloads: list[Entry] = Field(default_factory=list)

    def undos(self) -> list[Undo]:
        return [u for entry in [*self.faults, *self.workloads] for u in entry.undo]

    def listing(self) -> str:
        return ", ".join(e.what for e in [*self.faults, *self.workloads]) or "nothing"

    @property
    def writer_alive(self) -> bool:
        """The experiment that wrote it still runs (same pid, same start time)."""
        return process_alive(self.pid, self.pid_start)


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write JSON to `path` as 0600 through a temporary file and os.replace: a reader sees the
    old content or the new one, never half of either, even if this process dies mid-write."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed below, before the replace
        "w", encoding="utf-8", dir=path.parent, prefix=".active.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump(data, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        Path(handle.name).replace(path)  # os.replace: atomic within one file system
    except BaseException:
        with contextlib.suppress(OSError):
            Path(handle.name).unlink()
        raise


class Journal:
    """The journal of one running experiment; every change is written before it takes effect."""

    def __init__(self, path: Path, project: str, scenario: str) -> None:
        self.path = path
        self.document = Document(
            project=project,
            pid=os.getpid(),
            pid_start=process_start(os.getpid()),
            scenario=scenario,
            started_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        )
        self._lock = threading.Lock()
        self._count = 0

    @classmethod
    def for_project(cls, state_path: Path, project: str, scenario: str) -> Journal:
        """The journal at the contract's path, refusing if a live experiment already has one."""
        path = journal_path(state_path, project)
        existing = load_journal(path, project)
        if existing is not None and existing.writer_alive and existing.pid != os.getpid():
            raise CouldNotRun(
                f"another experiment ({existing.scenario}, pid {existing.pid}) is running "
                f"against project {project}",
                "wait for it to end; one experiment at a time per project",
            )
        if existing is not None:
            raise CouldNotRun(
                f"an interrupted experiment left faults in place ({path}): {existing.listing()}",
                f"run `{RECOVER_COMMAND}` (or `paws-chaos recover`) first",
            )
        return cls(path, project, scenario)

    def add(self, kind: str, what: str, undo: Sequence[Undo], workload: bool = False) -> str:
        """Record an entry (before the injection it describes); returns its id."""
        with self._lock:
            self._count += 1
            key = f"{'w' if workload else 'f'}{self._count}"
            entry = Entry(id=key, kind=kind, what=what, undo=tuple(undo))
            (self.document.workloads if workload else self.document.faults).append(entry)
            self._save()
            return entry.id

    def discard(self, key: str) -> None:
        """Forget an entry once its undo is done; the file goes with the last one."""
        with self._lock:
            doc = self.document
            doc.faults = [e for e in doc.faults if e.id != key]
            doc.workloads = [e for e in doc.workloads if e.id != key]
            self._save()

    @property
    def empty(self) -> bool:
        return not (self.document.faults or self.document.workloads)

    def _save(self) -> None:
        try:
            if self.empty:
                self.path.unlink(missing_ok=True)
            else:
                write_atomically(self.path, _readable(self.document.model_dump(mode="json")))
        except OSError as error:
            raise CouldNotRun(
                f"cannot write the fault journal {self.path}: {error}",
                f"make {self.path.parent} writable (it records what to undo if paws-chaos dies)",
            ) from None


def _readable(data: dict[str, Any]) -> dict[str, Any]:
    """The document without an undo's empty fields: people read this file when things broke."""
    for entry in [*data["faults"], *data["workloads"]]:
        entry["undo"] = [{k: v for k, v in undo.items() if v} for undo in entry["undo"]]
    return data


def load_journal(path: Path, project: str) -> Document | None:
    """The journal at `path` (None when absent). A live writer, another project's journal or a
    damaged file is refused: recovery must never act on what it cannot trust."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CouldNotRun(
            f"cannot read the fault journal {path}: {error}", "check its mode"
        ) from None
    try:
        document = Document.model_validate_json(text)
    except ValidationError as error:
        raise CouldNotRun(
            f"the fault journal {path} is damaged: {error.errors()[0]['msg']}",
            "read it, undo what it lists by hand (docs/troubleshooting.md), then delete it",
        ) from None
    if document.project != project:
        raise CouldNotRun(
            f"the fault journal {path} belongs to project {document.project!r}, not {project!r}",
            f"run recovery with PAWS_PROJECT_NAME={document.project}, or delete the file",
        )
    return document
