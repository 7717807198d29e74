"""Split-brain watcher: polls every Patroni REST API and every Redis `ROLE`, all the time.

A Patroni node claims the writable leadership when `GET /primary` answers 200: Patroni answers
so only while it holds an unexpired leader lease. A Redis node claims it when `ROLE` says
`master`. Two claims in one sample are a split-brain moment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis
import structlog
from redis.backoff import NoBackoff
from redis.retry import Retry

from paws_stack import ClientTls, DirectReach, Reach

from .ledger import Attempt

log = structlog.get_logger("paws_chaos.watcher")

PROBE_TIMEOUT_S = 0.8


class NoAnswer(Exception):
    """No node answered a poll: the sample would say "nobody leads" without evidence."""


@dataclass(frozen=True)
class Sample:
    """What every node claimed at one instant (`at` is time.monotonic())."""

    at: float
    pg_leaders: tuple[str, ...]
    redis_masters: tuple[str, ...]
    timelines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SplitBrain:
    """One episode: consecutive samples with more than one writable claim, or a stale write."""

    kind: str
    started: float
    ended: float
    nodes: tuple[str, ...]
    detail: str = ""


def split_brain_episodes(samples: list[Sample]) -> list[SplitBrain]:
    """Merge consecutive double-claim samples into episodes, per system.

    >>> s = [Sample(0, ("a",), ("r",)), Sample(1, ("a", "b"), ("r",)), Sample(2, ("a", "b"), ()),
    ...      Sample(3, ("b",), ("r", "q"))]
    >>> [(e.kind, e.started, e.ended) for e in split_brain_episodes(s)]
    [('postgres', 1, 2), ('redis', 3, 3)]
    """
    episodes: list[SplitBrain] = []

    def pg(sample: Sample) -> tuple[str, ...]:
        return sample.pg_leaders

    def rd(sample: Sample) -> tuple[str, ...]:
        return sample.redis_masters

    for kind, claims in (("postgres", pg), ("redis", rd)):
        current: list[Sample] = []
        for sample in [*samples, None]:
            if sample is not None and len(claims(sample)) > 1:
                current.append(sample)
                continue
            if current:
                nodes = tuple(sorted({n for s in current for n in claims(s)}))
                episodes.append(SplitBrain(kind, current[0].at, current[-1].at, nodes))
                current = []
    return sorted(episodes, key=lambda e: e.started)


def stale_writes(acks: list[Attempt], samples: list[Sample]) -> list[SplitBrain]:
    """Acks served by a node while the watcher saw another node, not it, holding the lease.

    >>> samples = [Sample(1.0, ("a",), ()), Sample(2.0, ("b",), ())]
    >>> [e.nodes for e in stale_writes([Attempt("1", 1.5, 2.5, "acked", node="a")], samples)]
    [('a', 'b')]
    >>> stale_writes([Attempt("2", 0.5, 1.2, "acked", node="a")], samples)
    []
    """
    events = []
    for ack in acks:
        if ack.node is None:
            continue
        during = [s for s in samples if ack.started <= s.at <= ack.ended]
        rivals = {n for s in during if ack.node not in s.pg_leaders for n in s.pg_leaders}
        if rivals:
            events.append(
                SplitBrain(
                    "postgres-stale-write",
                    ack.started,
                    ack.ended,
                    (ack.node, *sorted(rivals)),
                    f"id {ack.key} acknowledged by {ack.node} while {sorted(rivals)} led",
                )
            )
    return events


def first_new_leader(
    samples: list[Sample], old: str, since: float, kind: str = "postgres"
) -> Sample | None:
    """The first sample after `since` in which one node other than `old` alone claims."""
    for sample in samples:
        claims = sample.pg_leaders if kind == "postgres" else sample.redis_masters
        if sample.at >= since and len(claims) == 1 and claims[0] != old:
            return sample
    return None


def lease_lost(samples: list[Sample], node: str, since: float) -> Sample | None:
    """The first sample after `since` in which `node` no longer claims the Patroni leadership."""
    return next((s for s in samples if s.at >= since and node not in s.pg_leaders), None)


class Watcher:
    """Background poller; `addresses()` gives {service: address} and is re-read every poll."""

    def __init__(
        self,
        addresses: Callable[[], dict[str, str]],
        redis_password: str,
        interval: float,
        tls: ClientTls | None = None,
        reach: Reach | None = None,
    ) -> None:
        self._addresses = addresses
        self._reach = reach or DirectReach()
        self._password = redis_password
        # Members on their container addresses: in TLS mode chains are verified, not names.
        self._tls = tls or ClientTls()
        self._interval = interval
        self._samples: list[Sample] = []
        self.failed = 0  # polls that gave no evidence; each is logged
        self.last_failure = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paws-chaos-watcher", daemon=True)
        self._http = httpx.Client(
            timeout=PROBE_TIMEOUT_S, verify=self._tls.http_verify(check_hostname=False)
        )
        self._pool = ThreadPoolExecutor(max_workers=8)

    @property
    def samples(self) -> list[Sample]:
        with self._lock:
            return list(self._samples)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._http.close()

    def wait_for(self, predicate: Callable[[list[Sample]], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.samples):
                return True
            time.sleep(self._interval / 2)
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            begun = time.monotonic()
            try:
                sample = self.sample()
            except Exception as error:  # the watcher must outlive any single bad poll ...
                self._failed(error)  # ... but never forget one
            else:
                with self._lock:
                    self._samples.append(sample)
            self._stop.wait(max(0.0, self._interval - (time.monotonic() - begun)))

    def _failed(self, error: Exception) -> None:
        with self._lock:
            self.failed += 1
            self.last_failure = f"{type(error).__name__}: {error}"[:200]
        log.warning("watcher.sample_failed", failed=self.failed, error=self.last_failure)

    def sample(self) -> Sample:
        """One poll of every node; raises NoAnswer when not a single node answered."""
        at = time.monotonic()
        addresses = self._addresses()
        pg = [n for n in addresses if n.startswith("patroni-")]
        rd = [n for n in addresses if n.startswith("redis-")]
        pg_answers = list(self._pool.map(lambda n: self._primary(addresses[n]), pg))
        rd_answers = list(self._pool.map(lambda n: self._role(addresses[n]), rd))
        if not any(answered for _, _, answered in pg_answers) and all(
            r is None for r in rd_answers
        ):
            raise NoAnswer(f"none of {len(pg) + len(rd)} nodes answered")
        leaders = tuple(n for n, (claims, _, _) in zip(pg, pg_answers, strict=True) if claims)
        timelines = {n: t for n, (_, t, _) in zip(pg, pg_answers, strict=True) if t is not None}
        masters = tuple(n for n, role in zip(rd, rd_answers, strict=True) if role == "master")
        return Sample(at, leaders, masters, timelines)

    def _primary(self, address: str) -> tuple[bool, int | None, bool]:
        """(claims the leadership, timeline, answered at all)."""
        try:
            host, port = self._reach.to(address, 8008)
            response = self._http.get(f"{self._tls.scheme}://{host}:{port}/primary")
        except httpx.HTTPError:
            return False, None, False
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            return False, None, True
        timeline = body.get("timeline")
        return response.status_code == 200, int(timeline) if timeline is not None else None, True

    def _role(self, address: str) -> str | None:
        host, port = self._reach.to(address, 6379)
        client = redis.Redis(
            host=host,
            port=port,
            password=self._password,
            socket_timeout=PROBE_TIMEOUT_S,
            socket_connect_timeout=PROBE_TIMEOUT_S,
            # redis-py's default retries (up to ~10 s on a dead node) would stall every sample.
            retry=Retry(NoBackoff(), 0),
            **self._tls.redis(check_hostname=False),
        )
        try:
            role = client.execute_command("ROLE")  # type: ignore[no-untyped-call]
        except (redis.RedisError, OSError):
            return None
        finally:
            client.close()
        first = role[0]
        return first.decode() if isinstance(first, bytes) else str(first)
