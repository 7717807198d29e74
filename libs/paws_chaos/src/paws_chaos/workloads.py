"""Workloads: a PostgreSQL writer through HAProxy's leader address and a Redis writer through
Sentinel discovery, each recording every attempt in a Ledger; plus the checks against the data.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import redis
from psycopg import sql
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from paws_stack import ClientTls, DirectReach, Reach

from .ledger import Attempt, Ledger, Outcome

RECONNECT_PAUSE_S = 0.1
MASTER = "paws"


class Addresses:
    """service -> infra-network address, re-read from the stack when a name is unknown.

    Containers that restart may come back with another address; `refresh` is cheap (one engine
    list call) and thread-safe.
    """

    def __init__(self, lookup: Callable[[], dict[str, str]], reach: Reach | None = None) -> None:
        self._lookup = lookup
        self.reach = reach or DirectReach()
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._read_at = 0.0

    def refresh(self, max_age: float = 0.0) -> dict[str, str]:
        with self._lock:
            if not self._known or time.monotonic() - self._read_at >= max_age:
                self._known = self._lookup()
                self._read_at = time.monotonic()
            return dict(self._known)

    def of(self, service: str) -> str:
        address = self.refresh(max_age=2.0).get(service) or self.refresh().get(service)
        return address or service

    def at(self, service: str, port: int) -> tuple[str, int]:
        """Where this process connects to reach `port` of `service` (the stack's Reach)."""
        return self.reach.to(self.of(service), port)

    def service_at(self, address: str) -> str | None:
        for known in (self.refresh(max_age=2.0), self.refresh()):
            for service, value in known.items():
                if value == address:
                    return service
        return None


class _Writer:
    """A thread that writes until stopped; subclasses implement one attempt."""

    workload = ""

    def __init__(self, interval: float) -> None:
        self.ledger = Ledger(self.workload)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"paws-chaos-{self.workload}")
        self._thread.daemon = True
        self._next = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._next += 1
            ok = self.attempt(self._next)
            self._stop.wait(self._interval if ok else RECONNECT_PAUSE_S)

    def attempt(self, key: int) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (after the thread ended)."""


class PostgresWriter(_Writer):
    """INSERTs increasing ids through the leader address; a commit that returned is acked."""

    workload = "postgres"

    def __init__(
        self,
        conninfo: dict[str, Any],
        table: str,
        addresses: Addresses,
        interval: float,
    ) -> None:
        super().__init__(interval)
        self._conninfo = conninfo
        self.table = table
        self._addresses = addresses
        self._connection: psycopg.Connection[Any] | None = None
        self._node: str | None = None

    def create_table(self) -> None:
        with psycopg.connect(**self._conninfo, autocommit=True) as connection:
            connection.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (id bigint PRIMARY KEY, at timestamptz "
                    "NOT NULL DEFAULT clock_timestamp())"
                ).format(sql.Identifier(self.table))
            )

    def drop_table(self) -> None:
        with psycopg.connect(**self._conninfo, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(self.table))
            )

    def _connect(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(**self._conninfo)
            row = self._connection.execute("SELECT host(inet_server_addr())").fetchone()
            self._connection.commit()
            self._node = self._addresses.service_at(str(row[0])) if row else None
        return self._connection

    def attempt(self, key: int) -> bool:
        started = time.monotonic()
        insert = sql.SQL("INSERT INTO {} (id) VALUES (%s)").format(sql.Identifier(self.table))
        try:
            connection = self._connect()
            connection.execute(insert, (key,))
        except psycopg.Error as error:
            return self._fail(key, started, "failed", error)
        try:
            connection.commit()
        except psycopg.Error as error:
            # COMMIT was sent and no answer came back: it may or may not have happened.
            return self._fail(key, started, "ambiguous", error)
        self.ledger.record(Attempt(str(key), started, time.monotonic(), "acked", self._node))
        return True

    def _fail(self, key: int, started: float, outcome: Outcome, error: Exception) -> bool:
        self.ledger.record(
            Attempt(str(key), started, time.monotonic(), outcome, self._node, _short(error))
        )
        self.close()
        return False

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
            self._connection = None


class AddressMappedSentinel(Sentinel):
    """Sentinel discovery when Sentinels announce hostnames the host cannot resolve
    (redis-0, ...): each name is mapped to the container's infra-network address."""

    def __init__(self, sentinels: list[tuple[str, int]], addresses: Addresses, **kwargs: Any):
        super().__init__(sentinels, **kwargs)  # type: ignore[no-untyped-call,unused-ignore]
        self._map = addresses

    def discover_master(self, service_name: str) -> tuple[str, int]:
        host, port = super().discover_master(service_name)  # type: ignore[no-untyped-call,unused-ignore]
        return self._map.at(str(host), int(port))

    def discover_slaves(self, service_name: str) -> list[tuple[str, int]]:
        found = super().discover_slaves(service_name)  # type: ignore[no-untyped-call,unused-ignore]
        return [self._map.at(str(host), int(port)) for host, port in found]


class RedisWriter(_Writer):
    """SETs keys on the master found through Sentinel; acked only once `WAIT 1 <ms>` says a
    replica has it. A SET without that confirmation is recorded as ambiguous."""

    workload = "redis"

    def __init__(
        self,
        addresses: Addresses,
        sentinels: list[str],
        password: str,
        prefix: str,
        wait_ms: int,
        interval: float,
        tls: ClientTls | None = None,
    ) -> None:
        super().__init__(interval)
        self.prefix = prefix
        # The Sentinels and the master are reached on container addresses (mapped from the
        # names they announce): in TLS mode their chains are verified, not their names.
        secure = (tls or ClientTls()).redis(check_hostname=False)
        self._wait_ms = wait_ms
        # One try per attempt: the writer's own loop is the retry, and redis-py's default
        # retries with backoff (redis-py >= 6) would hide when writes really resumed.
        one_shot = {"retry": Retry(NoBackoff(), 0)}
        timeouts = {"socket_timeout": 1.0, "socket_connect_timeout": 0.5, **one_shot}
        self._sentinel = AddressMappedSentinel(
            [addresses.at(s, 26379) for s in sentinels],
            addresses,
            sentinel_kwargs={"password": password, **timeouts, **secure},
            password=password,
            socket_timeout=wait_ms / 1000 + 2,
            socket_connect_timeout=1.0,
            **one_shot,
            **secure,
        )
        # redis-py types its Sentinel API only from version 8 on
        self.master: redis.Redis = self._sentinel.master_for(  # type: ignore[no-untyped-call,unused-ignore]
            MASTER, decode_responses=True
        )

    def key(self, n: int | str) -> str:
        return f"{self.prefix}:{n}"

    def attempt(self, key: int) -> bool:
        started = time.monotonic()
        try:
            self.master.set(self.key(key), str(key))
        except redis.TimeoutError as error:
            return self._record(key, started, "ambiguous", _short(error))
        except (redis.RedisError, OSError) as error:
            return self._record(key, started, "failed", _short(error))
        try:
            replicas = int(self.master.execute_command("WAIT", 1, self._wait_ms))  # type: ignore[no-untyped-call]
        except (redis.RedisError, OSError) as error:
            return self._record(key, started, "ambiguous", _short(error))
        if replicas < 1:
            return self._record(key, started, "ambiguous", "WAIT: no replica confirmed")
        return self._record(key, started, "acked", "")

    def _record(self, key: int, started: float, outcome: Outcome, error: str) -> bool:
        self.ledger.record(Attempt(str(key), started, time.monotonic(), outcome, None, error))
        return bool(outcome == "acked")

    def present(self, keys: list[str]) -> set[str]:
        """Which of the keys exist on the current master."""
        found: set[str] = set()
        for chunk in range(0, len(keys), 500):
            part = keys[chunk : chunk + 500]
            pipe = self.master.pipeline(transaction=False)
            for key in part:
                pipe.exists(self.key(key))
            found |= {k for k, hit in zip(part, pipe.execute(), strict=True) if hit}
        return found

    def all_keys(self) -> set[str]:
        prefix = f"{self.prefix}:"
        return {str(k)[len(prefix) :] for k in self.master.scan_iter(match=f"{prefix}*", count=500)}

    def delete_all(self) -> None:
        keys = [self.key(k) for k in self.all_keys()]
        for chunk in range(0, len(keys), 500):
            self.master.delete(*keys[chunk : chunk + 500])

    def close(self) -> None:
        self.master.close()


def ids_on(conninfo: dict[str, Any], table: str) -> set[str]:
    """Every id in the workload table of one node (leader or replica)."""
    with psycopg.connect(**conninfo, autocommit=True) as connection:
        rows = connection.execute(
            sql.SQL("SELECT id FROM {}").format(sql.Identifier(table))
        ).fetchall()
    return {str(row[0]) for row in rows}


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:200]
