"""Which records `paws-stack logs` shows: --trace, --service, --level, --since, --grep.

>>> query = LogQuery(min_level="warning", services=("postgres",))
>>> query.keeps_level("error"), query.keeps_level("info"), query.keeps_level(None)
(True, False, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import PawsStackError
from .logformats import LEVELS, Level, parse_iso
from .logrecords import LogRecord

TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
DURATION = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class LogQueryError(PawsStackError):
    """A `logs` option that cannot be used as given."""


@dataclass(frozen=True)
class LogQuery:
    """A filter over records; every part that is set must match."""

    trace_id: str | None = None
    services: tuple[str, ...] = ()
    min_level: Level | None = None
    since: datetime | None = None
    grep: re.Pattern[str] | None = None

    def keeps_text(self, text: str) -> bool:
        """A cheap test on the raw line before it is parsed (a trace id is in its text)."""
        return self.trace_id is None or self.trace_id in text

    def keeps_level(self, level: Level | None) -> bool:
        # An unparsed line has no level to compare: it is shown, never hidden by --level.
        if self.min_level is None or level is None:
            return True
        return LEVELS.index(level) >= LEVELS.index(self.min_level)

    def keeps(self, record: LogRecord) -> bool:
        if self.trace_id is not None and record.trace_id != self.trace_id:
            return False
        if self.services and not {record.service, record.member} & set(self.services):
            return False
        if self.since is not None and record.ts < self.since:
            return False
        if self.grep is not None and not self.grep.search(record.raw):
            return False
        return self.keeps_level(record.level)


def parse_trace_id(value: str) -> str:
    """A 32-hex trace id, also accepted as a whole traceparent value.

    >>> parse_trace_id("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")
    '4bf92f3577b34da6a3ce929d0e0e4736'
    """
    text = value.strip().lower()
    if text.count("-") == 3:
        text = text.split("-")[1]
    if not TRACE_ID.match(text):
        raise LogQueryError(
            f"--trace {value!r} is not a trace id",
            "give the 32 hex digits of the X-Trace-Id response header (or a traceparent value)",
        )
    return text


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """A time from '10m', '2h', '30s', '1d' ago, or an ISO timestamp (UTC unless it says).

    >>> parse_since("90s", now=datetime(2026, 12, 1, 23, 0, tzinfo=UTC)).isoformat()
    '2026-12-01T22:58:30+00:00'
    """
    duration = DURATION.match(value.strip())
    if duration:
        amount, unit = duration.groups()
        return (now or datetime.now(UTC)) - timedelta(**{UNITS[unit]: int(amount)})
    stamp = parse_iso(value.strip())
    if stamp is None:
        raise LogQueryError(
            f"--since {value!r} is neither a duration nor a timestamp",
            "use e.g. --since 10m, --since 2h or --since 2026-12-01T23:00:00",
        )
    return stamp


def parse_level(value: str) -> Level:
    if value not in LEVELS:
        raise LogQueryError(
            f"--level {value!r} is not a level", f"choose one of: {', '.join(LEVELS)}"
        )
    return value  # narrowed to Level by the check against LEVELS above


def parse_grep(value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as exc:
        raise LogQueryError(
            f"--grep {value!r} is not a regular expression: {exc}",
            "escape special characters, e.g. --grep 'notes\\(id\\)'",
        ) from None
