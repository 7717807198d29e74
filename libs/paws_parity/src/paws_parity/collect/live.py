"""Collect a whole live environment into a snapshot, components in parallel."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import structlog

from ..endpoints import Endpoints
from ..model import Snapshot, Topology
from . import Collected
from .compose import app_env, load_compose, structure
from .containers import collect_etcd, collect_haproxy
from .patroni import collect_patroni
from .postgres import collect_postgresql
from .redis import collect_redis, collect_sentinel

log = structlog.get_logger("paws_parity.collect")

COLLECTORS: dict[str, Callable[[Any, float], Collected]] = {
    "postgresql": collect_postgresql,
    "patroni": collect_patroni,
    "redis": collect_redis,
    "sentinel": collect_sentinel,
    "etcd": collect_etcd,
    "haproxy": collect_haproxy,
}


def _run(endpoints: Endpoints) -> list[Collected]:
    jobs = {
        name: endpoint for name in COLLECTORS if (endpoint := getattr(endpoints, name)) is not None
    }
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = {
            name: pool.submit(COLLECTORS[name], endpoint, endpoints.timeout)
            for name, endpoint in jobs.items()
        }
        # .result() re-raises the first CollectorError: no partial snapshot is returned.
        return [futures[name].result() for name in jobs]


def assemble(name: str, source: str, collected: list[Collected]) -> Snapshot:
    """A snapshot from what the collectors read."""
    by_name = {c.component: c for c in collected}
    sync = by_name["patroni"].synchronous_mode if "patroni" in by_name else None
    quorum = by_name["sentinel"].sentinel_quorum if "sentinel" in by_name else None
    return Snapshot(
        name=name,
        source=source,
        collected_at=datetime.now(timezone.utc),
        versions={c.component: c.version for c in collected if c.version},
        topology=Topology(
            members={c.component: c.members for c in collected if c.members is not None},
            synchronous_mode=sync,
            sentinel_quorum=quorum,
        ),
        settings={c.component: c.settings for c in collected},
    )


def collect_live(endpoints: Endpoints, source: str = "live") -> Snapshot:
    """Read every component named in `endpoints`; raises CollectorError if any fails."""
    log.info("collecting", components=[n for n in COLLECTORS if getattr(endpoints, n)])
    snapshot = assemble(endpoints.name, source, _run(endpoints))
    if endpoints.compose is None:
        return snapshot
    document = load_compose(endpoints.compose.files, endpoints.compose.env)
    apps = endpoints.compose.app_services
    return snapshot.model_copy(
        update={
            "structure": structure(document, endpoints.compose.profiles),
            "app_env": app_env(document, apps) if apps else None,
        }
    )
