"""Read members' log lines from the engine's logs API (no log server, nothing to install).

Each member's stream is read in its own thread; without --follow the records are merged in
time order, with --follow they are printed as they arrive.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ._logfiles import entries_containing, json_log_files, lines_containing
from .logrecords import LogRecord, UnparsedCount, normalise, split_engine_line
from .probes import Member

# Reading 13 members' logs is I/O bound: one reader per member.
MAX_READERS = 16
Keep = Callable[[str], bool]
# `--service` names a member (patroni-0), a kind (redis) or what a member's lines are (postgres:
# PostgreSQL writes into its Patroni container's output).
SERVICE_KINDS = {"postgres": "patroni", "paws": ""}


@dataclass(frozen=True)
class LogTarget:
    """One member to read: its compose service, kind and container (anything with the
    engine's `logs(**options)`, e.g. EngineLogs)."""

    service: str
    kind: str
    container: Any


@dataclass(frozen=True)
class EngineLogs:
    """One container's logs through the engine API by name: no inspect call per member
    (`containers.get` costs a round trip each, and a trace search reads every member)."""

    api: Any
    name: str

    def logs(self, **options: Any) -> Any:
        return self.api.logs(self.name, **options)

    def log_files(self) -> list[Path] | None:
        """Its json-file logs when this process can read them (_logfiles.py), else None."""
        return json_log_files(self.api.inspect_container(self.name))


@dataclass
class LogRead:
    """How to read: from when, how many last lines per member, which raw lines to keep, and
    a text every kept line contains (a trace id), found in the engine's bytes before any line
    is split out."""

    since: datetime | None = None
    tail: int | None = None
    keep: Keep = lambda _text: True
    unparsed: UnparsedCount = field(default_factory=UnparsedCount)
    contains: str | None = None


def service_names(members: list[Member]) -> list[str]:
    """Every name `--service` accepts for these members."""
    names = {m.service for m in members} | {m.kind for m in members if m.kind != "app"}
    return sorted(names | set(SERVICE_KINDS))


def targets(client: Any, members: list[Member], services: tuple[str, ...]) -> list[LogTarget]:
    """The members whose lines `services` can match (all when none are named)."""
    wanted_kinds = {SERVICE_KINDS.get(s, s) for s in services}
    chosen = [
        m
        for m in members
        if not services or "paws" in services or m.service in services or m.kind in wanted_kinds
    ]
    return [LogTarget(m.service, m.kind, EngineLogs(client.api, m.container)) for m in chosen]


def engine_lines(container: Any, read: LogRead, follow: bool) -> Iterator[tuple[datetime, str]]:
    """(engine timestamp, text) of each line of one container, stdout and stderr together.

    `read.keep` sees the raw line first: lines it rejects are never parsed, not even their
    timestamp (a --trace search skips the parsing of everything else). Without `follow` the
    engine's answer is read whole and split in memory: streaming it costs two socket reads
    and a Python frame decode per line, most of the CPU of a search over a busy stack.
    """
    files = _searchable_files(container, read, follow)
    if files is not None:
        yield from _kept(entries_containing(files, read.contains or ""), read)
        return
    answer = container.logs(
        stream=follow,
        follow=follow,
        timestamps=True,
        since=read.since,
        tail=read.tail if read.tail is not None else "all",
        stdout=True,
        stderr=True,
    )
    if follow:
        lines = _lines(answer)
    elif read.contains:
        lines = lines_containing(answer, read.contains.encode())
    else:
        lines = _lines([answer])
    yield from _kept(lines, read)


def _searchable_files(container: Any, read: LogRead, follow: bool) -> list[Path] | None:
    """The member's log files, for a whole search for a text (a trace id) that can read them."""
    whole = not follow and read.since is None and read.tail is None
    if not (whole and read.contains and hasattr(container, "log_files")):
        return None
    files: list[Path] | None = container.log_files()
    return files


def _kept(lines: Iterable[str], read: LogRead) -> Iterator[tuple[datetime, str]]:
    """(engine timestamp, text) of the lines `read.keep` accepts; the rest are never parsed."""
    for line in lines:
        if not read.keep(line):
            continue
        ts, text = split_engine_line(line)
        if ts is not None:
            yield ts, text


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Whole lines from the engine's frames (a frame may hold part of a line, or several)."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            yield raw.decode("utf-8", errors="replace")
    if pending:
        yield pending.decode("utf-8", errors="replace")


def _read_one(target: LogTarget, read: LogRead) -> list[LogRecord]:
    lines = engine_lines(target.container, read, follow=False)
    return list(normalise(target.kind, target.service, lines, read.unparsed))


def read_merged(chosen: list[LogTarget], read: LogRead) -> list[LogRecord]:
    """Every record of every target, in time order (stable: a member's own order is kept)."""
    with ThreadPoolExecutor(max_workers=min(MAX_READERS, len(chosen) or 1)) as pool:
        batches = list(pool.map(lambda t: _read_one(t, read), chosen))
    return sorted((r for batch in batches for r in batch), key=lambda r: r.ts)


def follow_merged(chosen: list[LogTarget], read: LogRead) -> Iterator[LogRecord]:
    """Records as they arrive from any target, until the caller stops iterating (Ctrl-C)."""
    arrivals: queue.Queue[LogRecord] = queue.Queue(maxsize=10_000)

    def pump(target: LogTarget) -> None:
        lines = engine_lines(target.container, read, follow=True)
        for record in normalise(target.kind, target.service, lines, read.unparsed):
            arrivals.put(record)

    for target in chosen:
        threading.Thread(target=pump, args=(target,), daemon=True).start()
    while True:
        yield arrivals.get()
