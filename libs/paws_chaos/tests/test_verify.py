"""Verification after the experiment: lost and unexpected writes per node, and the bounds.
The nodes' contents are fed in by replacing the one function that reads a table."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest

from paws_chaos import Attempt, Ledger, verify
from paws_chaos.verify import PROBE_ID, PgNodes, bound, postgres_result, probe_write, redis_result


def ledger_of(workload: str, acked: range, failed: range = range(0)) -> Ledger:
    ledger = Ledger(workload)
    for key in acked:
        ledger.record(Attempt(str(key), key, key + 0.1, "acked"))
    for key in failed:
        ledger.record(Attempt(str(key), key, key + 0.1, "failed", error="OperationalError: x"))
    return ledger


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """host -> the ids its workload table holds; replicas get no time to catch up."""
    held: dict[str, set[str]] = {}
    monkeypatch.setattr(verify, "ids_on", lambda conninfo, table: set(held[conninfo["host"]]))
    monkeypatch.setattr(verify, "REPLICA_CATCH_UP_S", 0.0)
    return held


def nodes(*replicas: str) -> PgNodes:
    return PgNodes({"host": "leader"}, {name: {"host": name} for name in replicas})


class TestPostgresResult:
    """Every acked id on the leader and every replica; nothing else but the probe row."""

    def test_all_acked_rows_everywhere_is_clean(self, tables: dict[str, set[str]]) -> None:
        tables.update(leader={"1", "2", "3"}, r1={"1", "2", "3"})
        result = postgres_result(ledger_of("postgres", range(1, 4)), "t", nodes("r1"), 1, 0, 5)
        assert (result.lost, result.unexpected, result.lost_on) == (0, 0, {})
        assert result.acked == 3 and result.attempts == 3

    def test_an_acked_row_missing_on_a_replica_is_lost_there(
        self, tables: dict[str, set[str]]
    ) -> None:
        """A replica that never got an acknowledged row names that node and that id."""
        tables.update(leader={"1", "2", "3"}, r1={"1", "3"}, r2={"1", "2", "3"})
        result = postgres_result(
            ledger_of("postgres", range(1, 4)), "t", nodes("r1", "r2"), 1, 0, 5
        )
        assert result.lost == 1 and result.lost_on == {"r1": ["2"]}

    def test_lost_on_the_leader_is_counted_once(self, tables: dict[str, set[str]]) -> None:
        """The same id missing on leader and replica is one lost write, listed on both."""
        tables.update(leader={"1"}, r1={"1"})
        result = postgres_result(ledger_of("postgres", range(1, 3)), "t", nodes("r1"), 1, 0, 5)
        assert result.lost == 1 and result.lost_on == {"leader": ["2"], "r1": ["2"]}

    def test_unacked_rows_are_unexpected_but_the_probe_row_is_not(
        self, tables: dict[str, set[str]]
    ) -> None:
        """A failed attempt that is on disk anyway counts; the old-leader probe is reported."""
        tables.update(leader={"1", "2", str(PROBE_ID)})
        ledger = ledger_of("postgres", range(1, 2), failed=range(2, 3))
        result = postgres_result(ledger, "t", nodes(), 1, 0, 5)
        assert result.unexpected == 1 and result.probe_row_on_leader is True
        assert result.client_errors == 1 and result.first_errors == ["OperationalError: x"]


class FakeRedisWriter:
    def __init__(self, ledger: Ledger, keys: set[str]) -> None:
        self.ledger, self.keys = ledger, keys

    def present(self, keys: list[str]) -> set[str]:
        return set(keys) & self.keys

    def all_keys(self) -> set[str]:
        return set(self.keys)


def test_redis_result_names_lost_and_unexpected_keys() -> None:
    """Acked keys missing on the master are lost; keys nobody acked are unexpected."""
    writer = FakeRedisWriter(ledger_of("redis", range(1, 4), failed=range(4, 5)), {"1", "3", "4"})
    result = redis_result(writer, 1.0, 0, 5)  # type: ignore[arg-type]
    assert (result.lost, result.unexpected) == (1, 1)
    assert result.lost_on == {"master": ["2"]}
    assert result.workload == "redis"


class TestBound:
    """A `value <= limit` check; no limit, no check."""

    def test_no_limit_is_no_check(self) -> None:
        assert bound("failover", 3.0, None) is None

    def test_within_and_over_the_limit(self) -> None:
        within, over = bound("failover", 3.0, 30.0), bound("failover", 31.0, 30.0)
        assert within is not None and within.ok and within.detail == "3.00 s (limit 30.0 s)"
        assert over is not None and not over.ok

    def test_not_measured_fails(self) -> None:
        """A bound whose value was never measured is a failed check, not a pass."""
        check = bound("failover", None, 30.0)
        assert check is not None and not check.ok and "not measured" in check.detail


class TestProbeWrite:
    """The direct write into a resumed old leader: acked, refused, or timed out."""

    def test_a_returned_commit_is_acked(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The INSERT of the probe id returned (autocommit): acked."""
        inserted: list[tuple[Any, ...]] = []

        class Connection:
            def __enter__(self) -> Connection:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def execute(self, query: Any, params: tuple[Any, ...]) -> None:
                inserted.append(params)

        monkeypatch.setattr(psycopg, "connect", lambda **conninfo: Connection())
        assert probe_write({}, "t") == "acked"
        assert inserted == [(PROBE_ID,)]

    def test_a_refused_insert_names_the_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def refuse(**conninfo: Any) -> Any:
            raise psycopg.errors.ReadOnlySqlTransaction("read-only")

        monkeypatch.setattr(psycopg, "connect", refuse)
        assert probe_write({}, "t") == "refused: ReadOnlySqlTransaction: read-only"

    def test_a_commit_that_never_returns_is_not_acknowledged(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A synchronous commit waiting for a standby is never cancelled, only not counted."""
        release = threading.Event()

        def hang(**conninfo: Any) -> Any:
            release.wait(5)
            raise psycopg.OperationalError("released")

        monkeypatch.setattr(psycopg, "connect", hang)
        try:
            assert probe_write({}, "t", timeout=0.1) == "timed out (not acknowledged)"
        finally:
            release.set()
