"""`paws-stack metrics`: every /metrics endpoint of the stack, whether it answers, and the few
numbers a developer looks at (replication lag, connections, Redis commands/s, the apps'
request rate and latency).

Each endpoint is scraped twice, `interval` apart, in parallel: rates need two samples. Parsing
is prometheus_client's; the headlines are small functions over the two scrapes.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from pydantic import BaseModel

from .reach import DIRECT, Reach, reached_url

TIMEOUT = 3.0


@dataclass(frozen=True)
class Endpoint:
    """One /metrics address and the series that proves it is the right one."""

    name: str
    url: str
    key_series: str
    published: bool = False  # on a port published on the host, not a container address

    def reached(self, reach: Reach) -> str:
        """The URL this process asks: the relay's when addresses are not routable."""
        return reach.published_url(self.url) if self.published else reached_url(reach, self.url)


class EndpointReport(BaseModel):
    """One endpoint as the scrape saw it."""

    name: str
    url: str
    answers: bool
    key_series: str
    has_key_series: bool = False
    samples: int = 0
    latency_ms: float | None = None
    detail: str = ""


class Headline(BaseModel):
    """One number a developer looks at; `value` None says why in `detail`."""

    name: str
    value: float | None
    unit: str
    detail: str = ""


class MetricsReport(BaseModel):
    endpoints: list[EndpointReport]
    headlines: list[Headline]

    @property
    def all_answer(self) -> bool:
        return all(e.answers and e.has_key_series for e in self.endpoints)


@dataclass
class Scrape:
    """One endpoint's samples (empty when it did not answer)."""

    endpoint: Endpoint
    samples: list[Sample] = field(default_factory=list)
    error: str = ""
    latency_ms: float | None = None
    at: float = 0.0

    def values(self, name: str, **labels: str) -> list[float]:
        return [
            s.value
            for s in self.samples
            if _named_as(s, name) and all(s.labels.get(k) == v for k, v in labels.items())
        ]

    def total(self, name: str, keep: Callable[[Sample], bool] = lambda _: True) -> float | None:
        found = [s.value for s in self.samples if _named_as(s, name) and keep(s)]
        return sum(found) if found else None


def _named_as(sample: Sample, name: str) -> bool:
    # prometheus_client names a counter's samples <name>_total even when the exporter wrote
    # <name> (Patroni's patroni_xlog_location is a counter).
    return sample.name in (name, f"{name}_total")


def parse_samples(text: str) -> list[Sample]:
    """Every sample of a Prometheus text-format body.

    >>> [(s.name, s.value) for s in parse_samples("# TYPE up gauge\\nup 0.5\\n")]
    [('up', 0.5)]
    """
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def scrape(http: httpx.Client, endpoint: Endpoint, reach: Reach = DIRECT) -> Scrape:
    started = time.perf_counter()
    try:
        answer = http.get(endpoint.reached(reach))
        answer.raise_for_status()
        samples = parse_samples(answer.text)
    except (httpx.HTTPError, ValueError) as exc:
        return Scrape(endpoint, error=str(exc) or type(exc).__name__, at=time.monotonic())
    latency = round((time.perf_counter() - started) * 1000, 1)
    return Scrape(endpoint, samples, latency_ms=latency, at=time.monotonic())


def scrape_all(
    endpoints: list[Endpoint], verify: ssl.SSLContext | bool = True, reach: Reach = DIRECT
) -> list[Scrape]:
    """One scrape of each endpoint; `verify` checks the https ones (TLS mode's CA)."""
    client = httpx.Client(timeout=TIMEOUT, verify=verify)
    with client as http, ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda e: scrape(http, e, reach), endpoints))


def endpoint_report(last: Scrape) -> EndpointReport:
    e = last.endpoint
    has_key = any(s.name.startswith(e.key_series) for s in last.samples)
    detail = last.error or ("" if has_key else f"no {e.key_series} series")
    return EndpointReport(
        name=e.name,
        url=e.url,
        answers=not last.error,
        key_series=e.key_series,
        has_key_series=has_key,
        samples=len(last.samples),
        latency_ms=last.latency_ms,
        detail=detail,
    )


def collect(
    endpoints: list[Endpoint],
    interval: float = 1.0,
    verify: ssl.SSLContext | bool = True,
    reach: Reach = DIRECT,
) -> MetricsReport:
    """Scrape every endpoint twice, `interval` seconds apart, and derive the headlines."""
    first = scrape_all(endpoints, verify, reach)
    time.sleep(interval)
    second = scrape_all(endpoints, verify, reach)
    return MetricsReport(
        endpoints=[endpoint_report(s) for s in second],
        headlines=headlines(first, second),
    )


# --- headlines: pure functions over two scrapes ---------------------------------------------


def _of(scrapes: Iterable[Scrape], prefix: str) -> list[Scrape]:
    return [s for s in scrapes if s.endpoint.name.startswith(prefix) and not s.error]


def replication_lag(second: list[Scrape]) -> list[Headline]:
    """Bytes each replica's replay is behind the leader's WAL position (Patroni's /metrics)."""
    members = _of(second, "patroni-")
    # Patroni 3.0 names the leader patroni_master; later releases add patroni_primary.
    leader = next(
        (m for m in members if 1.0 in m.values("patroni_master") + m.values("patroni_primary")),
        None,
    )
    if leader is None:
        return [Headline(name="replication lag", value=None, unit="bytes", detail="no leader")]
    position = leader.values("patroni_xlog_location")
    lines = []
    for member in members:
        replayed = member.values("patroni_xlog_replayed_location")
        if member is leader or not replayed or not position:
            continue
        lag = max(position[0] - replayed[0], 0.0)
        lines.append(
            Headline(name=f"replication lag {member.endpoint.name}", value=lag, unit="bytes")
        )
    return lines or [
        Headline(name="replication lag", value=None, unit="bytes", detail="no replica")
    ]


def _rate(
    first: Scrape | None, second: Scrape | None, total: Callable[[Scrape], float | None]
) -> float | None:
    if first is None or second is None or second.at <= first.at:
        return None
    before, after = total(first), total(second)
    if before is None or after is None:
        return None
    return max(after - before, 0.0) / (second.at - first.at)


def _named(scrapes: list[Scrape], name: str) -> Scrape | None:
    return next((s for s in scrapes if s.endpoint.name == name and not s.error), None)


def _pair(
    first: list[Scrape], second: list[Scrape], name: str
) -> tuple[Scrape | None, Scrape | None]:
    return _named(first, name), _named(second, name)


def _not_actuator(sample: Sample) -> bool:
    # Our own scrapes of /actuator/prometheus are requests too; they are not the app's traffic.
    return not sample.labels.get("uri", "").startswith("/actuator")


def http_headlines(
    first: list[Scrape],
    second: list[Scrape],
    name: str,
    series: str,
    keep: Callable[[Sample], bool],
) -> list[Headline]:
    """Request rate and mean latency of one app's server-side histogram (`series`_count/_sum)."""
    before, after = _pair(first, second, name)
    if after is None:
        return []
    rate = _rate(before, after, lambda s: s.total(f"{series}_count", keep))
    count = after.total(f"{series}_count", keep) or 0.0
    seconds = after.total(f"{series}_sum", keep) or 0.0
    detail = "since the app started" if count else "no request yet"
    if before is not None:
        # Requests within the interval, when there were any: the latency of now, not of the
        # app's first (cold) requests.
        new = count - (before.total(f"{series}_count", keep) or 0.0)
        if new > 0:
            seconds -= before.total(f"{series}_sum", keep) or 0.0
            count, detail = new, "over the interval"
    mean_ms = seconds / count * 1000 if count else None
    return [
        Headline(name=f"{name} requests", value=rate, unit="req/s"),
        Headline(
            name=f"{name} mean latency",
            value=None if mean_ms is None else round(mean_ms, 2),
            unit="ms",
            detail=detail,
        ),
    ]


def _needs_exporters(name: str, unit: str) -> Headline:
    """A headline the exporters would give: what to start to get it."""
    detail = "needs the exporters: `paws-stack up --profile observability`"
    return Headline(name=name, value=None, unit=unit, detail=detail)


def redis_commands(first: list[Scrape], second: list[Scrape]) -> Headline:
    before, after = _pair(first, second, "exporter-redis")
    if after is None:
        return _needs_exporters("redis commands", "cmd/s")
    rate = _rate(before, after, lambda s: s.total("redis_commands_processed_total"))
    return Headline(name="redis commands", value=rate, unit="cmd/s")


def pg_connections(second: list[Scrape]) -> Headline:
    exporter = next((s for s in _of(second, "exporter-postgres")), None)
    if exporter is None:
        return _needs_exporters("postgres connections", "connections")
    return Headline(
        name="postgres connections",
        value=exporter.total("pg_stat_activity_count"),
        unit="connections",
        detail="on the leader",
    )


def pool_usage(second: list[Scrape], app: str = "backend") -> list[Headline]:
    scraped = _named(second, app)
    if scraped is None:
        return []
    return [
        Headline(
            name=f"{app} pool {state}",
            value=scraped.total(f"hikaricp_connections_{state}"),
            unit="connections",
        )
        for state in ("active", "idle", "pending")
        if scraped.total(f"hikaricp_connections_{state}") is not None
    ]


def headlines(first: list[Scrape], second: list[Scrape]) -> list[Headline]:
    return [
        *replication_lag(second),
        pg_connections(second),
        redis_commands(first, second),
        *http_headlines(first, second, "backend", "http_server_requests_seconds", _not_actuator),
        *pool_usage(second),
        *http_headlines(
            first, second, "frontend", "frontend_http_request_duration_seconds", lambda _: True
        ),
    ]
