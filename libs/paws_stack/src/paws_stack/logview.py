"""How `paws-stack logs` prints records: rich columns on a TTY, plain lines otherwise, or JSON.

--json writes one JSON object per line (JSON Lines), so `--follow --json` streams.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.text import Text

from .logrecords import LogRecord, UnparsedCount

LEVEL_STYLE = {
    "debug": "dim",
    "info": "",
    "warning": "yellow",
    "error": "red",
    "critical": "bold red",
    None: "magenta",
}
# Members get stable colours, so one member's lines are easy to follow in a merged view.
MEMBER_STYLES = ("cyan", "green", "blue", "magenta", "yellow", "bright_cyan", "bright_green")


def plain_line(record: LogRecord) -> str:
    """`member ts level trace msg`, tab-separated, for pipes and files (member first, as
    `docker compose logs` prints, so `grep ^patroni-0` keeps working).

    >>> from datetime import UTC, datetime
    >>> plain_line(LogRecord(datetime(2026, 12, 1, tzinfo=UTC), "redis", "redis-0", "info",
    ...     "ready", None, "raw"))
    'redis-0\\t2026-12-01T00:00:00.000000Z\\tinfo\\t-\\tready'
    """
    ts = record.ts.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return "\t".join((record.member, ts, record.level or "?", record.trace_id or "-", record.msg))


def rich_line(record: LogRecord) -> Text:
    member_style = MEMBER_STYLES[sum(map(ord, record.member)) % len(MEMBER_STYLES)]
    line = Text()
    line.append(record.ts.strftime("%H:%M:%S.%f")[:-3] + " ", style="dim")
    line.append(f"{record.member:<11} ", style=member_style)
    line.append(f"{record.service:<9} ", style="dim")
    line.append(f"{(record.level or '?'):<8} ", style=LEVEL_STYLE[record.level])
    if record.trace_id:
        line.append(record.trace_id[:8] + " ", style="dim")
    line.append(record.msg)
    return line


def write_records(
    records: Iterable[LogRecord], as_json: bool, console: Console, stream: TextIO
) -> int:
    """Print each record; returns how many were printed."""
    shown = 0
    for record in records:
        if as_json:
            stream.write(json.dumps(record.as_json()) + "\n")
        elif console.is_terminal:
            console.print(rich_line(record))
        else:
            stream.write(plain_line(record) + "\n")
        stream.flush()
        shown += 1
    return shown


def unparsed_summary(unparsed: UnparsedCount) -> str | None:
    """One line naming the members with lines in no known format, or None when there are none."""
    if not unparsed.total:
        return None
    members = ", ".join(f"{m} {n}" for m, n in sorted(unparsed.by_member.items()))
    return f"{unparsed.total} lines in no known format (shown with level ?): {members}"
