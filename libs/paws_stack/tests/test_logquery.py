"""Tests for `logs`' filters, its engine reader and its output (fake containers, real parsing)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console

from paws_stack.logquery import (
    LogQuery,
    LogQueryError,
    parse_grep,
    parse_level,
    parse_since,
    parse_trace_id,
)
from paws_stack.logrecords import LogRecord
from paws_stack.logsource import LogRead, LogTarget, read_merged, service_names, targets
from paws_stack.logview import plain_line, unparsed_summary, write_records
from paws_stack.probes import Member

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TS = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def record(**fields: Any) -> LogRecord:
    base = {
        "ts": TS,
        "service": "postgres",
        "member": "patroni-0",
        "level": "info",
        "msg": "m",
        "trace_id": None,
        "raw": "raw text",
    }
    return LogRecord(**{**base, **fields})


class FakeContainer:
    """The engine's logs stream: frames that may split or join lines."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames
        self.asked: dict[str, Any] = {}

    def logs(self, **kwargs: Any) -> list[bytes] | bytes:
        self.asked = kwargs
        # Like the engine API: a stream of frames, or the whole answer at once.
        return self.frames if kwargs["stream"] else b"".join(self.frames)


class TestQuery:
    """Every filter that is set must match."""

    def test_trace_filter_keeps_only_that_trace(self) -> None:
        """--trace drops other traces and lines with none."""
        query = LogQuery(trace_id=TRACE)
        assert query.keeps(record(trace_id=TRACE))
        assert not query.keeps(record(trace_id="0" * 32))
        assert not query.keeps(record())

    def test_trace_prefilter_skips_lines_without_the_id(self) -> None:
        """Raw text without the id is never parsed during a --trace search."""
        assert not LogQuery(trace_id=TRACE).keeps_text("2026-12-01 LOG: other")
        assert LogQuery().keeps_text("anything")

    def test_service_matches_member_or_service(self) -> None:
        """`postgres` matches the service, `patroni-0` the member."""
        assert LogQuery(services=("postgres",)).keeps(record())
        assert LogQuery(services=("patroni-0",)).keeps(record())
        assert not LogQuery(services=("redis",)).keeps(record())

    def test_level_is_a_minimum_and_unparsed_lines_stay(self) -> None:
        """--level warning hides info, keeps error and unparsed lines."""
        query = LogQuery(min_level="warning")
        assert not query.keeps(record(level="info"))
        assert query.keeps(record(level="error"))
        assert query.keeps(record(level=None))

    def test_since_and_grep(self) -> None:
        """--since drops older lines; --grep searches the raw line."""
        assert not LogQuery(since=datetime(2026, 12, 2, tzinfo=UTC)).keeps(record())
        assert LogQuery(grep=re.compile("raw")).keeps(record())
        assert not LogQuery(grep=re.compile("nothing")).keeps(record())


class TestBadOptions:
    """Each bad option is a LogQueryError naming the option and the fix."""

    @pytest.mark.parametrize(
        ("parse", "value", "problem"),
        [
            (parse_trace_id, "xyz", "is not a trace id"),
            (parse_level, "loud", "is not a level"),
            (parse_since, "yesterday", "neither a duration nor a timestamp"),
            (parse_grep, "(", "not a regular expression"),
        ],
    )
    def test_names_the_problem_and_fix(self, parse: Any, value: str, problem: str) -> None:
        """The message says what is wrong; the remediation says what to type instead."""
        with pytest.raises(LogQueryError) as caught:
            parse(value)
        assert problem in caught.value.message
        assert caught.value.remediation

    def test_since_accepts_an_iso_time(self) -> None:
        """A timestamp without zone is UTC."""
        assert parse_since("2026-12-01T23:00:00") == TS


class TestEngineSource:
    """Lines come from the engine's logs API, are split, normalised and merged in time order."""

    def test_frames_split_and_joined_into_lines(self) -> None:
        """A frame may end mid-line; lines are whole again, each with its engine time."""
        redis = FakeContainer(
            [
                b"2026-12-01T23:00:02.000000000Z 1:M 01 Dec 2026 23:00:02.000 * Ready",
                b" to accept connections\n2026-12-01T23:00:03.000000000Z 1:M 01 Dec 2026 ",
                b"23:00:03.000 # WARNING overcommit\n",
            ]
        )
        etcd = FakeContainer(
            [
                b'2026-12-01T23:00:02.500000000Z {"level":"info","ts":"2026-12-01T23:00:02.5Z",'
                b'"msg":"ready"}\n'
            ]
        )
        got = read_merged(
            [LogTarget("redis-0", "redis", redis), LogTarget("etcd-0", "etcd", etcd)],
            LogRead(tail=50),
        )
        assert [(r.member, r.msg) for r in got] == [
            ("redis-0", "Ready to accept connections"),
            ("etcd-0", "ready"),
            ("redis-0", "WARNING overcommit"),
        ]
        assert redis.asked["timestamps"] is True and redis.asked["tail"] == 50
        assert redis.asked["stream"] is False, "a one-off read takes the answer whole"

    def test_a_trace_search_cuts_out_only_the_lines_with_the_id(self) -> None:
        """With `contains`, the answer's bytes are searched: the first line, one in the middle
        and an unterminated last one are found whole; the rest is never split out."""
        tid = "4bf92f3577b34da6a3ce929d0e0e4736"

        def line(second: int, level: str, msg: str) -> str:
            stamp = f"2026-12-01T23:00:0{second}"
            fields = {"level": level, "ts": f"{stamp}Z", "msg": msg}
            return f"{stamp}.000000000Z {json.dumps(fields)}"

        lines = [
            line(1, "info", f"a {tid}"),
            line(2, "info", "other"),
            line(3, "warn", f"b {tid}"),
            line(4, "info", "other"),
            line(5, "info", f"c {tid}"),
        ]
        etcd = FakeContainer(["\n".join(lines).encode()])  # the last line unterminated
        seen: list[str] = []

        def keep(text: str) -> bool:
            seen.append(text)
            return True

        got = read_merged([LogTarget("etcd-0", "etcd", etcd)], LogRead(keep=keep, contains=tid))
        assert [r.msg for r in got] == [f"a {tid}", f"b {tid}", f"c {tid}"]
        assert len(seen) == 3, "only the lines holding the id reach the line filter"

    def test_service_names_and_targets(self) -> None:
        """`postgres` reads the Patroni containers; members and kinds are accepted names."""
        members = [
            Member("patroni-0", "patroni", "p-patroni-0-1", None, "running"),
            Member("redis-0", "redis", "p-redis-0-1", None, "running"),
            Member("backend", "app", "p-backend-1", None, "running"),
        ]

        class Client:
            api = object()

        assert {"postgres", "patroni", "patroni-0", "backend", "redis"} <= set(
            service_names(members)
        )
        chosen = targets(Client(), members, ("postgres",))
        assert [t.container.name for t in chosen] == ["p-patroni-0-1"]
        assert len(targets(Client(), members, ())) == 3


class TestOutput:
    """JSON Lines for scripts, tab-separated lines in pipes."""

    def test_json_lines_in_the_merged_schema(self) -> None:
        """One object per line with exactly the schema's keys."""
        stream = io.StringIO()
        console = Console(file=io.StringIO(), force_terminal=False)
        assert write_records([record(trace_id=TRACE)] * 2, True, console, stream) == 2
        lines = stream.getvalue().splitlines()
        assert len(lines) == 2
        assert set(json.loads(lines[0])) == {
            "ts",
            "service",
            "member",
            "level",
            "msg",
            "trace_id",
            "raw",
        }

    def test_plain_lines_without_a_terminal(self) -> None:
        """No ANSI codes, tabs between columns, ? for an unparsed level."""
        stream = io.StringIO()
        console = Console(file=io.StringIO(), force_terminal=False)
        write_records([record(level=None)], False, console, stream)
        assert stream.getvalue() == plain_line(record(level=None)) + "\n"
        assert "\x1b[" not in stream.getvalue() and "\t?\t" in stream.getvalue()

    def test_unparsed_summary_names_members(self) -> None:
        """Nothing to say when every line parsed."""
        from paws_stack.logrecords import UnparsedCount

        count = UnparsedCount()
        assert unparsed_summary(count) is None
        count.add(record(level=None, member="frontend"))
        assert unparsed_summary(count) == (
            "1 lines in no known format (shown with level ?): frontend 1"
        )
