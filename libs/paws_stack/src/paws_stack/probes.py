"""Probe every member in parallel and hand the raw answers to health.assess.

Members are reached on their container address on the infra network (Linux routes the host to
bridge networks, internal ones included; elsewhere `reach` relays through the engine); the
leader address is checked through HAProxy on the published loopback port, the way an
application connects.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from . import ports
from ._redisclient import redis_client
from .clienttls import ClientTls
from .health import Component, Role
from .reach import DIRECT, Reach, reached_url
from .topology import Kind

TIMEOUT = 1.5
PATRONI_ROLES: dict[str, Role] = {"leader": "leader", "sync_standby": "sync_standby"}


@dataclass(frozen=True)
class Member:
    """A container of the project as the engine reports it."""

    service: str
    kind: Kind
    container: str
    address: str | None
    state: str
    health_url: str | None = None  # apps: the HTTP health address they declared
    docker_health: str | None = None  # the engine's healthcheck verdict, if it has one


@dataclass(frozen=True)
class Credentials:
    """What probes need to authenticate; values are never put into a report (nor a repr)."""

    redis_password: str = field(repr=False)
    app_password: str = field(repr=False)
    pg_port: int
    redis_port: int
    stats_port: int
    host: str
    # TLS mode: the local CA; every connection then speaks TLS and is verified against it.
    ca_file: Path | None = None

    @property
    def tls(self) -> ClientTls:
        return ClientTls(self.ca_file)


def _timed(probe: Callable[[], Component]) -> Component:
    started = time.perf_counter()
    component = probe()
    component.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    return component


def _down(member: Member, detail: str) -> Component:
    return Component(
        name=member.service,
        kind=member.kind,
        healthy=False,
        container=member.container,
        detail=detail,
    )


def _at(member: Member, port: int, reach: Reach) -> tuple[str, int]:
    """Where this process connects to reach `port` on the member's container address."""
    return reach.to(str(member.address), port)


def probe_etcd(
    member: Member, http: httpx.Client, scheme: str = "http", reach: Reach = DIRECT
) -> Component:
    host, port = _at(member, ports.ETCD_CLIENT, reach)
    base = f"{scheme}://{host}:{port}"
    health = http.get(f"{base}/health").json()
    status = http.post(f"{base}/v3/maintenance/status", json={}).json()
    members = http.post(f"{base}/v3/cluster/member/list", json={}).json()["members"]
    voting = sum(1 for m in members if not m.get("isLearner"))
    is_leader = status["leader"] == status["header"]["member_id"]
    ok = health.get("health") == "true"
    return Component(
        name=member.service,
        kind="etcd",
        role="leader" if is_leader else "follower",
        healthy=ok,
        container=member.container,
        detail="" if ok else f"unhealthy: {health.get('reason')}",
        facts={
            "voting_members": voting,
            "version": status.get("version"),
            "raft_term": status.get("raftTerm"),
        },
    )


def probe_patroni(
    member: Member, http: httpx.Client, scheme: str = "http", reach: Reach = DIRECT
) -> Component:
    host, port = _at(member, ports.PATRONI_REST, reach)
    base = f"{scheme}://{host}:{port}"
    node = http.get(f"{base}/patroni").json()
    cluster = http.get(f"{base}/cluster").json()
    me: dict[str, Any] = next((m for m in cluster["members"] if m["name"] == member.service), {})
    role: Role = PATRONI_ROLES.get(me.get("role", ""), "replica")
    streaming = [
        r["application_name"] for r in node.get("replication", []) if r.get("state") == "streaming"
    ]
    ok = node.get("state") == "running"
    facts: dict[str, Any] = {}
    if role == "leader":
        # The dynamic configuration decides whether a synchronous standby is required.
        config = http.get(f"{base}/config").json()
        facts["synchronous_mode"] = bool(config.get("synchronous_mode"))
    return Component(
        name=member.service,
        kind="patroni",
        role=role,
        healthy=ok,
        container=member.container,
        detail="" if ok else f"PostgreSQL state: {node.get('state')}",
        facts={
            "timeline": node.get("timeline"),
            "lag": me.get("lag"),
            "state": node.get("state"),
            "streaming_replicas": streaming,
            "pg_version": node.get("server_version"),
            **facts,
        },
    )


def probe_redis(member: Member, credentials: Credentials, reach: Reach = DIRECT) -> Component:
    client = redis_client(
        *_at(member, ports.REDIS, reach),
        credentials.redis_password,
        TIMEOUT,
        **credentials.tls.redis(check_hostname=False),
    )
    info = client.info("replication")
    role: Role = "master" if info["role"] == "master" else "replica"
    link = info.get("master_link_status", "up")
    ok = role == "master" or link == "up"
    return Component(
        name=member.service,
        kind="redis",
        role=role,
        healthy=ok,
        container=member.container,
        detail="" if ok else f"replication link {link}",
        facts={
            "master_host": info.get("master_host"),
            "link": link,
            "connected_replicas": info.get("connected_slaves", 0),
            "offset": info.get("master_repl_offset", info.get("slave_repl_offset")),
        },
    )


def probe_sentinel(member: Member, credentials: Credentials, reach: Reach = DIRECT) -> Component:
    client = redis_client(
        *_at(member, ports.SENTINEL, reach),
        credentials.redis_password,
        TIMEOUT,
        decode_responses=True,
        **credentials.tls.redis(check_hostname=False),
    )
    reply = client.execute_command("SENTINEL", "MASTER", "paws")  # type: ignore[no-untyped-call]
    # redis-py parses this reply into a dict; raw RESP is a flat name/value list.
    fields = reply if isinstance(reply, dict) else dict(zip(reply[::2], reply[1::2], strict=False))
    flags = fields.get("flags", "")
    ok = flags == "master"
    return Component(
        name=member.service,
        kind="sentinel",
        role="sentinel",
        healthy=ok,
        container=member.container,
        detail="" if ok else f"master flags: {flags}",
        facts={
            "master": fields.get("ip"),
            "quorum": int(fields.get("quorum", 0)),
            "other_sentinels": int(fields.get("num-other-sentinels", 0)),
            "replicas": int(fields.get("num-slaves", 0)),
        },
    )


def probe_app(member: Member, http: httpx.Client, reach: Reach = DIRECT) -> Component:
    """An app: its engine healthcheck and, when it declared one, its HTTP health address."""
    facts: dict[str, Any] = {"docker_health": member.docker_health}
    problems = []
    if member.docker_health not in (None, "healthy"):
        problems.append(f"healthcheck {member.docker_health}")
    if member.health_url:
        response = http.get(reached_url(reach, member.health_url))
        facts["http_status"] = response.status_code
        facts.update(_health_document(response))
        if response.status_code != 200:
            problems.append(f"{member.health_url} answered {response.status_code}")
    return Component(
        name=member.service,
        kind="app",
        role="app",
        healthy=not problems,
        container=member.container,
        detail="; ".join(problems),
        facts=facts,
    )


def _health_document(response: httpx.Response) -> dict[str, Any]:
    """Status and component statuses of a Spring-style health document, when it is one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    parts = body.get("components") or {}
    return {
        "status": body.get("status"),
        "components": {name: (c or {}).get("status") for name, c in parts.items()},
    }


def haproxy_routes(stats_csv: str) -> dict[str, list[str]]:
    """Servers UP per proxy, from HAProxy's CSV stats.

    >>> haproxy_routes("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,"
    ...     "ereq,econ,eresp,wretr,wredis,status\\n"
    ...     "pg,patroni-0,,,,,,,,,,,,,,,,UP\\npg,patroni-1,,,,,,,,,,,,,,,,DOWN\\n"
    ...     "pg,BACKEND,,,,,,,,,,,,,,,,UP\\n")
    {'pg': ['patroni-0']}
    """
    lines = stats_csv.strip().splitlines()
    header = lines[0].lstrip("# ").split(",")
    status_at, proxy_at, server_at = header.index("status"), 0, 1
    routes: dict[str, list[str]] = {}
    for line in lines[1:]:
        cells = line.split(",")
        if cells[server_at] in ("FRONTEND", "BACKEND"):
            continue
        routes.setdefault(cells[proxy_at], [])
        if cells[status_at] == "UP":
            routes[cells[proxy_at]].append(cells[server_at])
    return routes


def probe_haproxy(member: Member, credentials: Credentials, http: httpx.Client) -> Component:
    stats = http.get(f"http://{credentials.host}:{credentials.stats_port}/stats;csv").text
    routes = haproxy_routes(stats)
    problems = []
    roundtrip = sql_roundtrip(credentials)
    if roundtrip != "primary":
        problems.append(f"leader address answered as {roundtrip}")
    redis_ok = redis_ping(credentials)
    if not redis_ok:
        problems.append("Redis address did not answer PING")
    return Component(
        name=member.service,
        kind="haproxy",
        role="proxy",
        healthy=not problems,
        container=member.container,
        detail="; ".join(problems),
        facts={"routes": routes, "sql_roundtrip": roundtrip, "redis_ping": redis_ok},
    )


def sql_roundtrip(credentials: Credentials) -> str:
    """Connect through the leader address as the application and ask who answered."""
    import psycopg

    with psycopg.connect(
        host=credentials.host,
        port=credentials.pg_port,
        dbname="app",
        user="app",
        password=credentials.app_password,
        connect_timeout=2,
        **credentials.tls.pg(),
    ) as connection:
        row = connection.execute("SELECT pg_is_in_recovery()").fetchone()
    return "replica" if row and row[0] else "primary"


# Flyway's default history table: the apps' migrations as PostgreSQL itself recorded them.
MIGRATIONS_QUERY = """
SELECT version, description, installed_on, (SELECT count(*) FROM flyway_schema_history
        WHERE success AND version IS NOT NULL)
  FROM flyway_schema_history
 WHERE success AND version IS NOT NULL
 ORDER BY installed_rank DESC LIMIT 1
"""


def applied_migrations(credentials: Credentials) -> dict[str, Any] | None:
    """The newest applied Flyway migration on the leader, or None when there is no history."""
    import psycopg

    with psycopg.connect(
        host=credentials.host,
        port=credentials.pg_port,
        dbname="app",
        user="app",
        password=credentials.app_password,
        connect_timeout=2,
        **credentials.tls.pg(),
    ) as connection:
        exists = connection.execute("SELECT to_regclass('flyway_schema_history')").fetchone()
        if not exists or exists[0] is None:
            return None
        row = connection.execute(MIGRATIONS_QUERY).fetchone()
    if row is None:
        return None
    version, description, installed_on, applied = row
    return {
        "version": version,
        "description": description,
        "installed_on": installed_on.isoformat(),
        "applied": applied,
    }


def redis_ping(credentials: Credentials) -> bool:
    client = redis_client(
        credentials.host,
        credentials.redis_port,
        credentials.redis_password,
        TIMEOUT,
        **credentials.tls.redis(check_hostname=True),
    )
    return bool(client.ping())


log = logging.getLogger(__name__)


def _probe_one(
    member: Member, credentials: Credentials, http: httpx.Client, reach: Reach
) -> Component:
    import psycopg
    import redis

    if member.state != "running" or not member.address:
        return _down(member, f"container {member.state}")
    probes: dict[str, Callable[[], Component]] = {
        "etcd": lambda: probe_etcd(member, http, credentials.tls.scheme, reach),
        "patroni": lambda: probe_patroni(member, http, credentials.tls.scheme, reach),
        "redis": lambda: probe_redis(member, credentials, reach),
        "sentinel": lambda: probe_sentinel(member, credentials, reach),
        "haproxy": lambda: probe_haproxy(member, credentials, http),
        "app": lambda: probe_app(member, http, reach),
    }
    try:
        return _timed(probes[member.kind])
    except (httpx.HTTPError, redis.RedisError, psycopg.Error, OSError, KeyError, ValueError) as exc:
        log.info("probe failed: member=%s error=%s", member.service, type(exc).__name__)
        return _down(member, f"probe failed: {type(exc).__name__}: {exc}".strip())


def probe_all(
    members: list[Member], credentials: Credentials, reach: Reach = DIRECT
) -> list[Component]:
    """Probe every member at once; a probe that fails makes its member unhealthy.

    `credentials` name the published ports as this process reaches them (`reach.published`).
    """
    # One HTTP client for all probes: building its TLS context costs ~100 ms each time.
    # Members are probed on their container address: in TLS mode the chain is verified.
    verify = credentials.tls.http_verify(check_hostname=False)
    with (
        httpx.Client(timeout=TIMEOUT, verify=verify) as http,
        ThreadPoolExecutor(max_workers=max(1, len(members))) as pool,
    ):
        components = list(pool.map(lambda m: _probe_one(m, credentials, http, reach), members))
    return _annotate_routes(_annotate_streaming(components))


def _annotate_streaming(components: list[Component]) -> list[Component]:
    streaming: set[str] = set()
    for leader in (c for c in components if c.kind == "patroni" and c.role == "leader"):
        streaming.update(leader.facts.get("streaming_replicas", []))
    for member in (c for c in components if c.kind == "patroni" and c.role != "leader"):
        member.facts["streaming"] = member.name in streaming
    return components


def _annotate_routes(components: list[Component]) -> list[Component]:
    """Reduce HAProxy's routes to the one server each writable address points at."""
    for proxy in (c for c in components if c.kind == "haproxy"):
        routes: dict[str, Any] = proxy.facts.get("routes", {})
        proxy.facts["routes"] = {
            name: (servers[0] if len(servers) == 1 else servers) for name, servers in routes.items()
        }
    return components
