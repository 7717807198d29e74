"""The merged log schema: each line as `{ts, service, member, level, msg, trace_id, raw}`.

A member's stream is read line by line (with the engine's timestamp of each line). A line in
the member's own format becomes a record; a continuation line (indented: a PostgreSQL
statement's next line, a stack trace) belongs to the record before it; anything else is an
unparsed record: it keeps the engine's timestamp, has no level, and is counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .logformats import Level, parse_iso, parse_line


@dataclass(frozen=True)
class LogRecord:
    """One line of one member, normalised. `level` is None for an unparsed line."""

    ts: datetime
    service: str
    member: str
    level: Level | None
    msg: str
    trace_id: str | None
    raw: str

    @property
    def parsed(self) -> bool:
        return self.level is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "ts": self.ts.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "service": self.service,
            "member": self.member,
            "level": self.level,
            "msg": self.msg,
            "trace_id": self.trace_id,
            "raw": self.raw,
        }


@dataclass
class UnparsedCount:
    """How many lines of each member no format read (TC-027 names each exception)."""

    by_member: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, record: LogRecord) -> None:
        self.by_member[record.member] += 1
        self.examples.setdefault(record.member, record.raw)

    @property
    def total(self) -> int:
        return sum(self.by_member.values())


def split_engine_line(line: str) -> tuple[datetime | None, str]:
    """(engine timestamp, text) of a line the engine returned with timestamps=True.

    >>> split_engine_line("2026-12-01T23:00:00.123456789Z hello world\\n")[1]
    'hello world'
    """
    stamp, _, text = line.rstrip("\r\n").partition(" ")
    ts = parse_iso(stamp)
    return (ts, text) if ts else (None, line.rstrip("\r\n"))


# A Python traceback's first and last lines are not indented, its frames are.
TRACEBACK_EDGES = re.compile(r"^(Traceback \(most recent call last\):|[\w.]+(Error|Exception)\b)")


def is_continuation(text: str) -> bool:
    """Lines that continue the record before them: indented ones (multi-line statements,
    stack frames) and a Python traceback's first and last lines.

    >>> is_continuation("ConnectionResetError: [Errno 104] Connection reset by peer")
    True
    """
    if text[:1] in ("\t", " "):
        return bool(text.strip())
    return bool(TRACEBACK_EDGES.match(text))


def normalise(
    kind: str,
    member: str,
    lines: Iterable[tuple[datetime, str]],
    unparsed: UnparsedCount | None = None,
) -> Iterator[LogRecord]:
    """Records of one member's (engine timestamp, text) lines, in their order."""
    previous: LogRecord | None = None
    for engine_ts, text in lines:
        if not text.strip():
            continue
        record = _record(kind, member, engine_ts, text, previous)
        if not record.parsed and unparsed is not None:
            unparsed.add(record)
        previous = record if record.parsed else previous
        yield record


def _record(
    kind: str, member: str, engine_ts: datetime, text: str, previous: LogRecord | None
) -> LogRecord:
    parsed = parse_line(kind, text, service=member)
    if parsed is not None:
        service = member if parsed.service == "app" else parsed.service
        return LogRecord(
            parsed.ts or engine_ts, service, member, parsed.level, parsed.msg, parsed.trace_id, text
        )
    if previous is not None and is_continuation(text):
        return LogRecord(
            previous.ts,
            previous.service,
            member,
            previous.level,
            text.strip(),
            previous.trace_id,
            text,
        )
    return LogRecord(engine_ts, _default_service(kind, member), member, None, text, None, text)


def _default_service(kind: str, member: str) -> str:
    return member if kind == "app" else kind
