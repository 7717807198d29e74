"""Tests for the merged log schema: each service's real lines normalised, the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from paws_stack.logformats import parse_line
from paws_stack.logrecords import UnparsedCount, normalise, split_engine_line

ENGINE_TS = datetime(2026, 12, 1, 23, 0, 0, tzinfo=UTC)
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
FIXTURES = Path(__file__).parent / "fixtures" / "logs"


def records(kind: str, member: str, *texts: str, unparsed: UnparsedCount | None = None) -> list:
    return list(normalise(kind, member, [(ENGINE_TS, t) for t in texts], unparsed))


class TestEachFormat:
    """A line in each service's own format gives its time, level, message and trace id."""

    @pytest.mark.parametrize(
        ("kind", "member", "line", "service", "level", "msg"),
        [
            (
                "etcd",
                "etcd-0",
                '{"level":"warn","ts":"2026-12-01T23:00:01.234Z","caller":"etcdserver/util.go:170",'
                '"msg":"apply request took too long","took":"120.1ms"}',
                "etcd",
                "warning",
                "apply request took too long",
            ),
            (
                "patroni",
                "patroni-0",
                "2026-12-01 23:00:01,234 INFO: no action. I am (patroni-0), the leader",
                "patroni",
                "info",
                "no action. I am (patroni-0), the leader",
            ),
            (
                "patroni",
                "patroni-0",
                "2026-12-01 23:00:01.234 UTC [57] FATAL:  password authentication failed for user"
                ' "app"',
                "postgres",
                "critical",
                'password authentication failed for user "app"',
            ),
            (
                "redis",
                "redis-1",
                "1:S 01 Dec 2026 23:00:01.234 * MASTER <-> REPLICA sync: Finished with success",
                "redis",
                "info",
                "MASTER <-> REPLICA sync: Finished with success",
            ),
            (
                "sentinel",
                "sentinel-0",
                "1:X 01 Dec 2026 23:00:01.234 # +sdown master paws 172.20.0.5 6379",
                "sentinel",
                "warning",
                "+sdown master paws 172.20.0.5 6379",
            ),
            (
                "app",
                "backend",
                '{"@timestamp":"2026-12-01T23:00:01.234Z","log":{"level":"INFO","logger":"x"},'
                '"message":"redis INCR paws:visits -> 3","trace_id":"' + TRACE + '"}',
                "backend",
                "info",
                "redis INCR paws:visits -> 3",
            ),
            (
                "app",
                "frontend",
                '{"ts":"2026-12-01T23:00:01.234Z","level":"info","msg":"request","trace_id":"'
                + TRACE
                + '"}',
                "frontend",
                "info",
                "request",
            ),
        ],
    )
    def test_reads_time_level_and_message(
        self, kind: str, member: str, line: str, service: str, level: str, msg: str
    ) -> None:
        """The service's own timestamp wins over the engine's; level and message are mapped."""
        (record,) = records(kind, member, line)
        assert (record.service, record.member, record.level, record.msg) == (
            service,
            member,
            level,
            msg,
        )
        assert record.ts == datetime(2026, 12, 1, 23, 0, 1, 234000, tzinfo=UTC)
        assert record.raw == line

    def test_etcd_go_log_lines_have_time_and_level(self) -> None:
        """etcd's gRPC gateway logs through Go's standard logger, not zap's JSON."""
        line = (
            "2026/12/01 23:26:47 ERROR: Failed to decode request: http: invalid Read on closed Body"
        )
        (record,) = records("etcd", "etcd-0", line)
        assert (record.level, record.service) == ("error", "etcd")
        assert record.ts == datetime(2026, 12, 1, 23, 26, 47, tzinfo=UTC)

    def test_haproxy_lines_take_the_engine_time_and_their_severity(self) -> None:
        """HAProxy writes no time: the engine's stands in; <4> is a warning."""
        (record,) = records("haproxy", "haproxy", "<4>Server pg_leader/patroni-1 is DOWN")
        assert (record.ts, record.level, record.service) == (ENGINE_TS, "warning", "haproxy")

    def test_postgres_statement_carries_the_sqlcommenter_trace_id(self) -> None:
        """The backend's comment puts the trace id into the leader's own log line."""
        line = (  # a log line under test, not a query
            "2026-12-01 23:00:01.234 UTC [81] LOG:  execute <unnamed>: INSERT INTO notes (id, text)"  # noqa: S608
            f" VALUES ($1, $2) ON CONFLICT (id) DO NOTHING /*traceparent='00-{TRACE}"
            "-00f067aa0ba902b7-01'*/"
        )
        (record,) = records("patroni", "patroni-1", line)
        assert (record.service, record.trace_id) == ("postgres", TRACE)

    def test_backend_json_without_trace_has_none(self) -> None:
        """Lines outside a request (start-up) carry no trace id, and are still parsed."""
        line = '{"@timestamp":"2026-12-01T23:00:01Z","log":{"level":"WARN"},"message":"slow start"}'
        (record,) = records("app", "backend", line)
        assert (record.level, record.trace_id) == ("warning", None)


class TestContinuationAndUnparsed:
    """Indented lines join the record before them; anything else unknown is counted."""

    def test_indented_line_continues_the_previous_record(self) -> None:
        """A statement's second line keeps the first line's time, level and trace."""
        first = (
            f"2026-12-01 23:00:01.234 UTC [81] ERROR:  boom /*traceparent='00-{TRACE}"
            "-00f067aa0ba902b7-01'*/"
        )
        unparsed = UnparsedCount()
        head, tail = records("patroni", "patroni-0", first, "\tWHERE id = 1", unparsed=unparsed)
        assert (tail.level, tail.trace_id, tail.ts) == ("error", TRACE, head.ts)
        assert unparsed.total == 0

    def test_unknown_line_is_counted_with_the_engine_time(self) -> None:
        """Text in no known format keeps the engine's timestamp, has no level, is counted."""
        unparsed = UnparsedCount()
        (record,) = records("app", "frontend", "hello from a stray print", unparsed=unparsed)
        records("app", "frontend", "and another", unparsed=unparsed)
        assert (record.level, record.ts) == (None, ENGINE_TS)
        assert unparsed.total == 2
        assert unparsed.examples["frontend"] == "hello from a stray print"

    def test_known_tool_output_gets_a_level(self) -> None:
        """initdb, pg_isready, the JVM and Next print plain lines paws knows."""
        for kind, member, line, service in [
            ("patroni", "patroni-0", "syncing data to disk ... ok", "postgres"),
            ("patroni", "patroni-0", "server promoting", "postgres"),
            ("patroni", "patroni-0", "localhost:5432 - accepting connections", "postgres"),
            ("patroni", "patroni-1", "pg_rewind: Done!", "postgres"),
            ("patroni", "patroni-2", "2\t0/40CFB68\tno recovery target specified", "postgres"),
            ("app", "backend", "Picked up JAVA_TOOL_OPTIONS: -Xss512k", "backend"),
            ("app", "frontend", "   ▲ Next.js 15.5.29", "frontend"),
        ]:
            (record,) = records(kind, member, line)
            assert (record.level, record.service) == ("info", service), line

    def test_tini_lines_keep_their_level_in_every_container(self) -> None:
        """The init's own lines (seen after a chaos experiment's SIGSTOP) are not unparsed."""
        line = "[FATAL tini (1)] Unexpected error when forwarding signal: 'Operation not permitted'"
        for kind, member in [("patroni", "patroni-0"), ("redis", "redis-1"), ("app", "backend")]:
            (record,) = records(kind, member, line)
            assert (record.level, record.service) == ("critical", "init"), kind

    def test_python_traceback_edges_continue_the_warning(self) -> None:
        """A traceback's unindented first and last lines belong to the line that logged it."""
        unparsed = UnparsedCount()
        got = records(
            "patroni",
            "patroni-1",
            "2026-12-01 23:21:58,554 WARNING: Exception happened during processing of request",
            "Traceback (most recent call last):",
            "    self._sock.sendall(b)",
            "ConnectionResetError: [Errno 104] Connection reset by peer",
            unparsed=unparsed,
        )
        assert [r.level for r in got] == ["warning"] * 4
        assert unparsed.total == 0

    def test_entrypoint_lines_are_info(self) -> None:
        """paws' own entrypoint announces itself in every image."""
        (record,) = records("redis", "redis-0", "paws-entrypoint: starting as master")
        assert (record.level, record.service, record.msg) == ("info", "paws", "starting as master")

    def test_blank_lines_are_skipped(self) -> None:
        """Empty output lines are not records and not unparsed either."""
        unparsed = UnparsedCount()
        assert records("redis", "redis-0", "", "   ", unparsed=unparsed) == []
        assert unparsed.total == 0


class TestEngineLines:
    """The engine's own timestamp prefix is split off each line."""

    def test_splits_the_nanosecond_timestamp(self) -> None:
        """Go's nine fraction digits become microseconds."""
        ts, text = split_engine_line("2026-12-01T23:00:00.123456789Z <5>Proxy stats started.\n")
        assert ts == datetime(2026, 12, 1, 23, 0, 0, 123456, tzinfo=UTC)
        assert text == "<5>Proxy stats started."

    def test_a_line_without_timestamp_is_left_whole(self) -> None:
        """Nothing is lost when the engine did not stamp a line."""
        assert split_engine_line("plain") == (None, "plain")


SAMPLE_KINDS = {
    "etcd": "etcd",
    "patroni": "patroni",
    "redis": "redis",
    "sentinel": "sentinel",
    "haproxy": "haproxy",
    "backend": "app",
    "frontend": "app",
}


@pytest.mark.parametrize("sample", sorted(FIXTURES.glob("*.log")), ids=lambda p: p.stem)
def test_real_sample_lines_all_parse(sample: Path) -> None:
    """Lines captured from a running stack (`docker logs -t`) parse with no unparsed line,
    except those each sample's .unparsed file names (one per line, with its reason)."""
    member = sample.stem
    kind = SAMPLE_KINDS[member.rsplit("-", 1)[0] if member[-1].isdigit() else member]
    lines = [split_engine_line(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    unparsed = UnparsedCount()
    got = list(normalise(kind, member, [(ts or ENGINE_TS, t) for ts, t in lines], unparsed))
    allowed_file = sample.with_suffix(".unparsed")
    allowed = allowed_file.read_text(encoding="utf-8").splitlines() if allowed_file.exists() else []
    prefixes = [line.split(" # ")[0] for line in allowed if line.strip()]
    surprising = [r.raw for r in got if not r.parsed and not r.raw.startswith(tuple(prefixes))]
    assert got, f"{sample.name} holds no lines"
    assert surprising == []


def test_unknown_kind_reads_json_like_an_app() -> None:
    """A team's own app service is read as JSON lines."""
    parsed = parse_line("app", '{"time":"2026-12-01T23:00:00Z","level":"error","msg":"x"}', "shop")
    assert parsed is not None
    assert parsed.level == "error"
