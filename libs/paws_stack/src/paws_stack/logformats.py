"""Each service's log line format, read into one shape: timestamp, level, message, trace id.

One small parser per format; `FORMATS` says which formats a kind of member writes, in the order
they are tried. A parser answers None for a line that is not its format.

>>> parse_line("patroni", "2026-12-01 23:00:00,123 INFO: no action. I am (patroni-0), the leader")
Parsed(ts=datetime.datetime(2026, 12, 1, 23, 0, 0, 123000, tzinfo=datetime.timezone.utc), \
level='info', msg='no action. I am (patroni-0), the leader', trace_id=None, service='patroni')
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

Level = Literal["debug", "info", "warning", "error", "critical"]
LEVELS: tuple[Level, ...] = ("debug", "info", "warning", "error", "critical")


class Parsed(NamedTuple):
    """What one line says; ts None means "use the engine's timestamp of the line"."""

    ts: datetime | None
    level: Level
    msg: str
    trace_id: str | None
    service: str


Parser = Callable[[str], Parsed | None]

# W3C trace ids, wherever a message carries one (sqlcommenter comments, traceparent values).
TRACEPARENT = re.compile(r"traceparent='?00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")

# Level names as each piece of software spells them -> ours.
LEVEL_NAMES: dict[str, Level] = {
    "trace": "debug",
    "debug": "debug",
    "info": "info",
    "information": "info",
    "notice": "info",
    "warn": "warning",
    "warning": "warning",
    "error": "error",
    "err": "error",
    "fatal": "critical",
    "critical": "critical",
    "crit": "critical",
    "panic": "critical",
    "dpanic": "critical",
    "alert": "critical",
    "emerg": "critical",
}


def level_of(name: str) -> Level | None:
    """Our level for a level name, None when it is not one.

    >>> level_of("WARN"), level_of("DEBUG3"), level_of("shouting")
    ('warning', 'debug', None)
    """
    name = name.strip().lower()
    if name.startswith("debug"):
        return "debug"  # PostgreSQL's DEBUG1..DEBUG5
    return LEVEL_NAMES.get(name)


def utc(ts: datetime) -> datetime:
    """Naive timestamps are the containers' local time, which is UTC."""
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def parse_iso(text: str) -> datetime | None:
    """An ISO 8601 timestamp with any number of fraction digits (Go writes 9, Python takes 6).

    >>> parse_iso("2026-12-01T23:00:00.123456789Z")
    datetime.datetime(2026, 12, 1, 23, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    """
    match = re.match(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?$", text)
    if not match:
        return None
    whole, fraction, zone = match.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    offset = "+00:00" if zone in (None, "Z") else zone
    return utc(datetime.fromisoformat(f"{whole.replace(' ', 'T')}.{micro}{offset}"))


def trace_in(text: str) -> str | None:
    match = TRACEPARENT.search(text)
    return match.group(1) if match else None


# --- JSON lines: etcd (zap), the backend (ECS), the frontend ----------------------------------

JSON_TS_KEYS = ("@timestamp", "ts", "time", "timestamp")
JSON_MSG_KEYS = ("message", "msg")
JSON_TRACE_KEYS = ("trace_id", "traceId", "trace.id")


def _lookup(document: dict[str, Any], dotted: str) -> Any:
    """document['a.b'] or document['a']['b']: ECS writes nested objects, zap flat names."""
    if dotted in document:
        return document[dotted]
    value: Any = document
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _first(document: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((v for k in keys if (v := _lookup(document, k)) not in (None, "")), None)


def parse_json(service: str) -> Parser:
    """A parser of one-JSON-object-per-line logs for `service`."""

    def parse(line: str) -> Parsed | None:
        if not line.startswith("{"):
            return None
        try:
            document = json.loads(line)
        except json.JSONDecodeError:
            return None
        if not isinstance(document, dict):
            return None
        level = level_of(str(_first(document, ("level", "log.level", "severity")) or ""))
        ts_value = _first(document, JSON_TS_KEYS)
        ts = parse_iso(ts_value) if isinstance(ts_value, str) else None
        if level is None or ts is None:
            return None
        msg = str(_first(document, JSON_MSG_KEYS) or "")
        trace = _first(document, JSON_TRACE_KEYS)
        return Parsed(ts, level, msg, str(trace) if trace else trace_in(msg), service)

    return parse


# --- Go's standard library logger (etcd's gRPC gateway writes through it) -----------------------

GO_LOG_LINE = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (?:([A-Z]+): )?(.*)$")


def parse_go_log(service: str) -> Parser:
    """`2026/12/01 23:26:47 ERROR: message`: the level word is optional (then info)."""

    def parse(line: str) -> Parsed | None:
        match = GO_LOG_LINE.match(line)
        if not match:
            return None
        stamp, word, msg = match.groups()
        level = level_of(word or "info") or "info"
        return Parsed(parse_iso(stamp.replace("/", "-")), level, msg, None, service)

    return parse


# --- PostgreSQL: stderr with log_line_prefix '%m [%p] %q[%a] ' (compose/config/patroni) ------

POSTGRES_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (?:UTC|GMT) \[\d+\] (?:\[(.*?)\] )?"
    r"(DEBUG[1-5]|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT|QUERY"
    r"|LOCATION):  (.*)$"
)
# Lines that qualify the line before them; their level is that line's, not the word's.
POSTGRES_QUALIFIERS = frozenset({"DETAIL", "HINT", "STATEMENT", "CONTEXT", "QUERY", "LOCATION"})
# The backend sets application_name to the request's traceparent for each write's transaction.
TRACEPARENT_VALUE = re.compile(r"^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def parse_postgres(line: str) -> Parsed | None:
    """PostgreSQL's stderr line; sessions' lines carry their application_name in brackets, and
    the trace id is in it (or in a sqlcommenter comment of the statement).

    >>> parse_postgres("2026-12-01 23:00:01.5 UTC [81] "
    ...     "[00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01] LOG:  execute S_1: INSERT"
    ... ).trace_id
    '4bf92f3577b34da6a3ce929d0e0e4736'
    >>> parse_postgres("2026-12-01 23:00:01.5 UTC [81] [] LOG:  statement: INSERT INTO notes "
    ...     "VALUES (1) /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/"
    ... ).trace_id
    '4bf92f3577b34da6a3ce929d0e0e4736'
    >>> parse_postgres("2026-12-01 23:00:01.5 UTC [60] LOG:  checkpoint starting: time").msg
    'checkpoint starting: time'
    """
    match = POSTGRES_LINE.match(line)
    if not match:
        return None
    stamp, application, word, msg = match.groups()
    level = "info" if word in POSTGRES_QUALIFIERS or word == "LOG" else level_of(word)
    tagged = TRACEPARENT_VALUE.match(application or "")
    trace_id = tagged.group(1) if tagged else trace_in(msg)
    return Parsed(parse_iso(stamp), level or "info", msg, trace_id, "postgres")


# --- Patroni 3.0: Python logging's '%(asctime)s %(levelname)s: %(message)s' -------------------

PATRONI_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (DEBUG|INFO|WARNING|ERROR|CRITICAL): (.*)$"
)


def parse_patroni(line: str) -> Parsed | None:
    match = PATRONI_LINE.match(line)
    if not match:
        return None
    stamp, word, msg = match.groups()
    return Parsed(parse_iso(stamp), level_of(word) or "info", msg, None, "patroni")


# --- Redis and Sentinel: 'pid:role dd Mon yyyy hh:mm:ss.mmm <mark> message' -------------------

REDIS_LINE = re.compile(r"^\d+:([XCSM]) (\d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3}) ([.\-*#]) (.*)$")
# Redis marks a line's level with one character (server.c, serverLogRaw).
REDIS_MARKS: dict[str, Level] = {".": "debug", "-": "debug", "*": "info", "#": "warning"}


def parse_redis(line: str) -> Parsed | None:
    """A redis-server or redis-sentinel line; role X is Sentinel.

    >>> parse_redis("1:X 01 Dec 2026 23:00:02.000 # +switch-master paws 10.0.0.3 6379").service
    'sentinel'
    """
    match = REDIS_LINE.match(line)
    if not match:
        return None
    role, stamp, mark, msg = match.groups()
    ts = utc(datetime.strptime(stamp, "%d %b %Y %H:%M:%S.%f"))  # naive: UTC, see utc()
    return Parsed(ts, REDIS_MARKS[mark], msg, None, "sentinel" if role == "X" else "redis")


# --- HAProxy: 'format short' log lines ('<severity>text') and its own stderr messages ----------

HAPROXY_SHORT = re.compile(r"^<([0-7])>(.*)$")
HAPROXY_STDERR = re.compile(r"^\[(NOTICE|WARNING|ALERT|EMERG)\]\s+\(\d+\)\s*:\s*(.*)$")
# syslog severities 0..7
SYSLOG_LEVELS: tuple[Level, ...] = (
    "critical",
    "critical",
    "critical",
    "error",
    "warning",
    "info",
    "info",
    "debug",
)


def parse_haproxy(line: str) -> Parsed | None:
    """An HAProxy log line; HAProxy writes no timestamp in either form (the engine's is used).

    >>> parse_haproxy("<4>Server pg_leader/patroni-1 is DOWN, reason: Layer7 wrong status").level
    'warning'
    >>> parse_haproxy("[NOTICE]   (1) : New worker (8) forked").msg
    'New worker (8) forked'
    """
    short = HAPROXY_SHORT.match(line)
    if short:
        return Parsed(None, SYSLOG_LEVELS[int(short.group(1))], short.group(2), None, "haproxy")
    own = HAPROXY_STDERR.match(line)
    if own:
        return Parsed(None, level_of(own.group(1)) or "info", own.group(2), None, "haproxy")
    return None


# --- paws' own entrypoint ------------------------------------------------------------------------

ENTRYPOINT_LINE = re.compile(r"^paws-entrypoint: (.*)$")


def parse_entrypoint(line: str) -> Parsed | None:
    match = ENTRYPOINT_LINE.match(line)
    return Parsed(None, "info", match.group(1), None, "paws") if match else None


# tini, every container's init (compose `init: true`): "[FATAL tini (1)] message".
TINI_LINE = re.compile(r"^\[(TRACE|DEBUG|INFO|WARN|FATAL) tini \(\d+\)\] (.*)$")


def parse_tini(line: str) -> Parsed | None:
    match = TINI_LINE.match(line)
    if not match:
        return None
    return Parsed(None, LEVEL_NAMES[match.group(1).lower()], match.group(2), None, "init")


# --- plain output of the tools the services run: no time or level of their own ----------------

# (kind, pattern, service, level). The engine's timestamp is used. Seen on a fresh full stack.
PLAIN_LINES: tuple[tuple[str, str, str, Level], ...] = (
    # initdb, run once by Patroni to bootstrap the first leader
    (
        "patroni",
        r"^(The files belonging to this database|This user must also own|The database cluster"
        r" will be|The default text search|Data page checksums|Success\. You can now start"
        r"|creating (directory|subdirectories|configuration files)|selecting (default|dynamic)"
        r"|running bootstrap script|performing post-bootstrap|syncing data to disk"
        r"|fixing permissions on existing directory)",
        "postgres",
        "info",
    ),
    # pg_isready and pg_ctl, run by Patroni while it starts or stops PostgreSQL
    ("patroni", r"^\S+:\d+ - (accepting connections|rejecting connections)$", "postgres", "info"),
    ("patroni", r"^\S+:\d+ - (no response|no attempt)$", "postgres", "warning"),
    (
        "patroni",
        r"^(server (signaled|started|stopped|promoting)"
        r"|waiting for server to (start|shut down|promote)\.*( done)?|done)$",
        "postgres",
        "info",
    ),
    # pg_rewind, run by Patroni when a demoted leader rejoins, and the timeline history it reads
    ("patroni", r"^pg_rewind: ", "postgres", "info"),
    ("patroni", r"^\d+\t[0-9A-F]+/[0-9A-F]+\t", "postgres", "info"),
    # The JVM's own notice, before logging starts
    ("app", r"^Picked up (JAVA_TOOL_OPTIONS|_JAVA_OPTIONS):", "app", "info"),
    # next start's banner
    ("app", r"^\s*(▲ Next\.js \d|- (Local|Network):\s|✓ (Starting|Ready in))", "app", "info"),
)
_PLAIN = tuple((k, re.compile(p), s, level) for k, p, s, level in PLAIN_LINES)


def parse_plain(kind: str) -> Parser:
    """A parser of the known plain lines of one kind of member."""
    known = tuple((pattern, service, level) for k, pattern, service, level in _PLAIN if k == kind)

    def parse(line: str) -> Parsed | None:
        for pattern, service, level in known:
            if pattern.search(line):
                return Parsed(None, level, line.strip(), None, service)
        return None

    return parse


# --- which formats each kind of member writes ----------------------------------------------------

FORMATS: dict[str, tuple[Parser, ...]] = {
    "etcd": (parse_json("etcd"), parse_go_log("etcd"), parse_tini),
    "patroni": (
        parse_patroni,
        parse_postgres,
        parse_entrypoint,
        parse_plain("patroni"),
        parse_tini,
    ),
    "redis": (parse_redis, parse_entrypoint, parse_tini),
    "sentinel": (parse_redis, parse_entrypoint, parse_tini),
    "haproxy": (parse_haproxy, parse_entrypoint, parse_tini),
    "backend": (parse_json("backend"), parse_entrypoint, parse_plain("app"), parse_tini),
    "frontend": (parse_json("frontend"), parse_entrypoint, parse_plain("app"), parse_tini),
}
# A team's own app services: JSON lines, like the reference apps.
APP_FORMATS: tuple[Parser, ...] = (
    parse_json("app"),
    parse_entrypoint,
    parse_plain("app"),
    parse_tini,
)


def parsers_for(kind: str, service: str) -> tuple[Parser, ...]:
    """The parsers of a member: by its app name (backend, frontend) or its kind."""
    return FORMATS.get(service) or FORMATS.get(kind) or APP_FORMATS


def parse_line(kind: str, line: str, service: str = "") -> Parsed | None:
    """The first format of this kind of member that reads the line, or None."""
    for parser in parsers_for(kind, service):
        parsed = parser(line)
        if parsed is not None:
            return parsed
    return None
