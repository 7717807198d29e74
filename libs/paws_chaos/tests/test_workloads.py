"""Workloads: how each attempt is classified (acked, failed, ambiguous) and how addresses are
looked up; the database and Redis are replaced by fakes that raise what the real ones raise."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import redis

from paws_chaos import PostgresWriter, RedisWriter
from paws_chaos.workloads import Addresses, _short


class Lookup:
    """A stack's service -> address listing that counts how often it was read."""

    def __init__(self, *listings: dict[str, str]) -> None:
        self.listings = list(listings)
        self.reads = 0

    def __call__(self) -> dict[str, str]:
        self.reads += 1
        return dict(self.listings[min(self.reads, len(self.listings)) - 1])


class TestAddresses:
    """service -> address, re-read only when stale or unknown."""

    def test_a_fresh_listing_is_reused(self) -> None:
        """Within max_age the engine is not asked again."""
        lookup = Lookup({"patroni-0": "10.0.0.2"})
        addresses = Addresses(lookup)
        addresses.refresh()
        assert addresses.refresh(max_age=60) == {"patroni-0": "10.0.0.2"}
        assert lookup.reads == 1

    def test_an_unknown_name_forces_a_new_read(self) -> None:
        """A container that came back under a new address is found by reading again."""
        lookup = Lookup({"patroni-0": "10.0.0.2"}, {"patroni-0": "10.0.0.2", "redis-1": "10.0.0.9"})
        addresses = Addresses(lookup)
        assert addresses.of("redis-1") == "10.0.0.9"
        assert lookup.reads == 2

    def test_a_name_nobody_lists_is_returned_as_is(self) -> None:
        """Unknown services fall back to their name (compose's DNS may still resolve it)."""
        assert Addresses(Lookup({})).of("sentinel-0") == "sentinel-0"

    def test_service_at_maps_an_address_back(self) -> None:
        """The node a connection landed on is named by its service, None if nobody has it."""
        addresses = Addresses(Lookup({"patroni-1": "10.0.0.3"}))
        assert addresses.service_at("10.0.0.3") == "patroni-1"
        assert addresses.service_at("10.0.0.99") is None


class FakeConnection:
    """A psycopg connection whose execute or commit raises the given error."""

    closed = False

    def __init__(self, on_execute: Exception | None = None, on_commit: Exception | None = None):
        self.on_execute, self.on_commit = on_execute, on_commit

    def execute(self, *args: Any) -> None:
        if self.on_execute:
            raise self.on_execute

    def commit(self) -> None:
        if self.on_commit:
            raise self.on_commit

    def close(self) -> None:
        self.closed = True


def pg_writer(connection: FakeConnection, monkeypatch: pytest.MonkeyPatch) -> PostgresWriter:
    writer = PostgresWriter({}, "chaos_0123456789", Addresses(Lookup({})), 0.05)
    monkeypatch.setattr(writer, "_connect", lambda: connection)
    return writer


class TestPostgresAttempt:
    """A commit that returned is acked; one without an answer may have happened."""

    def test_a_returned_commit_is_acked(self, monkeypatch: pytest.MonkeyPatch) -> None:
        writer = pg_writer(FakeConnection(), monkeypatch)
        assert writer.attempt(1) is True
        assert [(a.key, a.outcome) for a in writer.ledger.attempts] == [("1", "acked")]

    def test_an_insert_refused_before_commit_failed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Nothing reached COMMIT: certainly not written."""
        writer = pg_writer(FakeConnection(on_execute=psycopg.OperationalError("gone")), monkeypatch)
        assert writer.attempt(2) is False
        (attempt,) = writer.ledger.attempts
        assert attempt.outcome == "failed" and attempt.error == "OperationalError: gone"

    def test_a_commit_without_answer_is_ambiguous(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """COMMIT was sent and the connection died: it may be on disk, it is not acked."""
        connection = FakeConnection(on_commit=psycopg.OperationalError("server closed"))
        writer = pg_writer(connection, monkeypatch)
        assert writer.attempt(3) is False
        assert writer.ledger.attempts[0].outcome == "ambiguous"
        assert writer.ledger.acked_keys() == set()


class FakeMaster:
    """The Redis master as the writer sees it: SET, then WAIT for replicas."""

    def __init__(self, on_set: Exception | None = None, wait: int | Exception = 1) -> None:
        self.on_set, self.wait, self.keys = on_set, wait, []

    def set(self, key: str, value: str) -> None:
        if self.on_set:
            raise self.on_set
        self.keys.append(key)

    def execute_command(self, *args: Any) -> int:
        assert args[:2] == ("WAIT", 1)
        if isinstance(self.wait, Exception):
            raise self.wait
        return self.wait


def redis_writer(master: FakeMaster) -> RedisWriter:
    # Sentinel discovery is lazy: nothing connects until the master is used, and it is faked.
    writer = RedisWriter(Addresses(Lookup({})), ["sentinel-0"], "pw", "chaos:abc", 500, 0.05)
    writer.master = master  # type: ignore[assignment]
    return writer


class TestRedisAttempt:
    """Acked only when WAIT says a replica has the key."""

    def test_set_and_one_replica_is_acked(self) -> None:
        writer = redis_writer(FakeMaster())
        assert writer.attempt(1) is True
        assert writer.ledger.attempts[0].outcome == "acked"
        assert writer.master.keys == ["chaos:abc:1"]  # type: ignore[attr-defined]

    def test_no_replica_confirmed_is_ambiguous(self) -> None:
        """The master has it, no replica does: a failover may lose it."""
        writer = redis_writer(FakeMaster(wait=0))
        assert writer.attempt(1) is False
        (attempt,) = writer.ledger.attempts
        assert attempt.outcome == "ambiguous" and attempt.error == "WAIT: no replica confirmed"

    @pytest.mark.parametrize(
        ("master", "outcome"),
        [
            (FakeMaster(on_set=redis.ConnectionError("refused")), "failed"),
            (FakeMaster(on_set=redis.TimeoutError("slow")), "ambiguous"),
            (FakeMaster(wait=redis.ConnectionError("reset")), "ambiguous"),
        ],
    )
    def test_errors_are_failed_or_ambiguous(self, master: FakeMaster, outcome: str) -> None:
        """A refused SET failed; a timed-out SET or a lost WAIT may have been written."""
        writer = redis_writer(master)
        assert writer.attempt(1) is False
        assert writer.ledger.attempts[0].outcome == outcome


def test_short_error_is_one_line_with_its_type() -> None:
    """Errors in the ledger are the type and the first line, at most 200 characters."""
    assert _short(ValueError("first\nsecond")) == "ValueError: first"
    assert len(_short(ValueError("x" * 500))) == 200
    assert _short(ValueError()) == "ValueError: "
