"""`paws-stack inspect <component>`: what one part of the stack believes about itself, as read
from its own interfaces (Patroni's REST API, etcd's v3 API, Redis and Sentinel, HAProxy's
stats, the apps' metrics). Every function returns one JSON-ready document; nothing is judged
here (that is `health`), only reported.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from . import ports
from ._redisclient import redis_client
from .clienttls import ClientTls
from .metrics import parse_samples
from .probes import Member, haproxy_routes
from .reach import DIRECT, Reach, reached_url

if TYPE_CHECKING:
    import redis

TIMEOUT = 3.0
SCOPE = "paws"
DCS_PREFIX = f"/service/{SCOPE}/"
COMPONENTS = ("postgres", "redis", "etcd", "haproxy", "apps")


@dataclass(frozen=True)
class Access:
    """Addresses and passwords the readers need; passwords never reach a document."""

    members: list[Member]
    host: str
    pg_port: int
    stats_port: int
    superuser_password: str = field(repr=False)
    redis_password: str = field(repr=False)
    etcd_password: str = field(repr=False)  # Patroni's etcd user: reads /service/ only
    app_metrics: dict[str, str] = field(default_factory=dict)  # app -> metrics URL
    # TLS mode: https for Patroni and etcd, TLS for PostgreSQL and Redis, all against the CA.
    tls: ClientTls = field(default_factory=ClientTls)
    # Where this process connects to reach an address: the relay when they are not routable.
    reach: Reach = DIRECT

    def http(self) -> httpx.Client:
        """Members are reached on their container addresses: the chain is verified, not names."""
        return httpx.Client(timeout=TIMEOUT, verify=self.tls.http_verify(check_hostname=False))

    def at(self, member: Member, port: int) -> str:
        """`host:port` where this process reaches `port` on `member`."""
        host, reached = self.reach.to(str(member.address), port)
        return f"{host}:{reached}"

    def of_kind(self, kind: str) -> list[Member]:
        return [m for m in self.members if m.kind == kind and m.address and m.state == "running"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# --- postgres --------------------------------------------------------------------------------


def _patroni_get(access: Access, http: httpx.Client, members: list[Member], path: str) -> Any:
    """The first member's answer: each serves the whole cluster's view from the DCS."""
    last: Exception | None = None
    for member in members:
        try:
            answer = http.get(
                f"{access.tls.scheme}://{access.at(member, ports.PATRONI_REST)}{path}"
            )
            answer.raise_for_status()
            return answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            last = exc
    raise ConnectionError(f"no Patroni member answered {path}: {last}")


def _slots(access: Access) -> list[dict[str, Any]]:
    import psycopg

    host, port = access.reach.published(access.host, access.pg_port)
    with psycopg.connect(
        host=host,
        port=port,
        dbname="postgres",
        user="postgres",
        password=access.superuser_password,
        connect_timeout=5,
        autocommit=True,
        **access.tls.pg(check_hostname=True),
    ) as connection:
        rows = connection.execute(
            "SELECT slot_name, slot_type, active, restart_lsn::text FROM pg_replication_slots"
            " ORDER BY slot_name"
        ).fetchall()
    return [{"slot": r[0], "type": r[1], "active": r[2], "restart_lsn": r[3]} for r in rows]


def _dcs_keys(http: httpx.Client, access: Access) -> list[str]:
    for member in access.of_kind("etcd"):
        base = f"{access.tls.scheme}://{access.at(member, ports.ETCD_CLIENT)}/v3"
        try:
            login = {"name": "patroni", "password": access.etcd_password}
            token = http.post(f"{base}/auth/authenticate", json=login).json()["token"]
            body = {"key": _b64(DCS_PREFIX), "range_end": _b64(DCS_PREFIX[:-1] + "0")}
            answer = http.post(
                f"{base}/kv/range",
                json={**body, "keys_only": True},
                headers={"Authorization": token},
            ).json()
        except (httpx.HTTPError, KeyError, ValueError):
            continue
        return sorted(base64.b64decode(kv["key"]).decode() for kv in answer.get("kvs", []))
    return []


def inspect_postgres(access: Access) -> dict[str, Any]:
    """Members, roles, timelines and history, sync state, lag, slots and the DCS keys."""
    with access.http() as http:
        patroni = access.of_kind("patroni")
        cluster = _patroni_get(access, http, patroni, "/cluster")
        history = _patroni_get(access, http, patroni, "/history")
        keys = _dcs_keys(http, access)
    members = [
        {
            "name": m.get("name"),
            "role": m.get("role"),
            "state": m.get("state"),
            "timeline": m.get("timeline"),
            "lag": m.get("lag", 0 if m.get("role") == "leader" else None),
            "host": m.get("host"),
        }
        for m in cluster.get("members", [])
    ]
    leader = next((m for m in members if m["role"] == "leader"), None)
    return {
        "leader": leader["name"] if leader else None,
        "timeline": leader["timeline"] if leader else None,
        "sync_standby": [m["name"] for m in members if m["role"] == "sync_standby"],
        "members": members,
        "history": [
            {"timeline": h[0], "lsn": h[1], "reason": h[2], "at": h[3] if len(h) > 3 else None}
            for h in history
        ],
        "slots": _slots(access) if leader else [],
        "dcs_keys": keys,
    }


# --- redis -----------------------------------------------------------------------------------


def _redis(access: Access, member: Member, port: int) -> redis.Redis:
    secure = access.tls.redis(check_hostname=False)  # a container address: the chain only
    host, reached = access.reach.to(str(member.address), port)
    return redis_client(
        host, reached, access.redis_password, TIMEOUT, decode_responses=True, **secure
    )


def _pairs(reply: Any) -> dict[str, Any]:
    return reply if isinstance(reply, dict) else dict(zip(reply[::2], reply[1::2], strict=False))


def inspect_redis(access: Access) -> dict[str, Any]:
    """Each data node's replication, and each Sentinel's master, replicas, peers and CKQUORUM."""
    import redis

    nodes = []
    for member in access.of_kind("redis"):
        info = _redis(access, member, ports.REDIS).info("replication")
        nodes.append(
            {
                "name": member.service,
                "role": info.get("role"),
                "master_host": info.get("master_host"),
                "link": info.get("master_link_status"),
                "connected_replicas": info.get("connected_slaves", 0),
                "offset": info.get("master_repl_offset", info.get("slave_repl_offset")),
            }
        )
    sentinels = []
    for member in access.of_kind("sentinel"):
        client = _redis(access, member, ports.SENTINEL)
        master = _pairs(client.execute_command("SENTINEL", "MASTER", SCOPE))  # type: ignore[no-untyped-call]
        replicas = client.execute_command("SENTINEL", "REPLICAS", SCOPE)  # type: ignore[no-untyped-call]
        peers = client.execute_command("SENTINEL", "SENTINELS", SCOPE)  # type: ignore[no-untyped-call]
        try:
            quorum = str(client.execute_command("SENTINEL", "CKQUORUM", SCOPE))  # type: ignore[no-untyped-call]
        except redis.ResponseError as exc:
            quorum = f"NOQUORUM {exc}"
        sentinels.append(
            {
                "name": member.service,
                "master": master.get("ip"),
                "flags": master.get("flags"),
                "config_epoch": master.get("config-epoch"),
                "replicas": sorted(_pairs(r).get("ip", "?") for r in replicas),
                "other_sentinels": len(peers),
                "ckquorum": quorum,
            }
        )
    return {"nodes": nodes, "sentinels": sentinels}


# --- etcd, haproxy, apps ---------------------------------------------------------------------


def inspect_etcd(access: Access) -> dict[str, Any]:
    """Members, leader, raft index, db size and alarms, from each member's status."""
    members = []
    with access.http() as http:
        ids: dict[str, str] = {}
        for member in access.of_kind("etcd"):
            base = f"{access.tls.scheme}://{access.at(member, ports.ETCD_CLIENT)}/v3"
            status = http.post(f"{base}/maintenance/status", json={}).json()
            ids[status["header"]["member_id"]] = member.service
            members.append(
                {
                    "name": member.service,
                    "id": status["header"]["member_id"],
                    "leader_id": status.get("leader"),
                    "raft_index": int(status.get("raftIndex", 0)),
                    "raft_term": int(status.get("raftTerm", 0)),
                    "db_size_bytes": int(status.get("dbSize", 0)),
                    "version": status.get("version"),
                    "errors": status.get("errors", []),
                }
            )
    leader_ids = {m["leader_id"] for m in members}
    leader = ids.get(next(iter(leader_ids))) if len(leader_ids) == 1 else None
    alarms = sorted({e for m in members for e in m["errors"]})
    return {"leader": leader, "members": members, "alarms": alarms}


def haproxy_servers(csv: str) -> list[dict[str, str]]:
    """Each server's route, name, state and current sessions, from HAProxy's stats CSV.

    >>> haproxy_servers("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,"
    ...     "ereq,econ,eresp,wretr,wredis,status\\n"
    ...     "pg,patroni-0,,,2,,,,,,,,,,,,,UP\\npg,BACKEND,,,2,,,,,,,,,,,,,UP\\n")
    [{'pxname': 'pg', 'svname': 'patroni-0', 'status': 'UP', 'scur': '2'}]
    """
    lines = csv.strip().splitlines()
    header = lines[0].lstrip("# ").split(",")
    at = {name: header.index(name) for name in ("pxname", "svname", "status", "scur")}
    return [
        {name: cells[i] for name, i in at.items()}
        for cells in (line.split(",") for line in lines[1:])
        if cells[at["svname"]] not in ("FRONTEND", "BACKEND")
    ]


def inspect_haproxy(access: Access) -> dict[str, Any]:
    """Each route's servers that are UP, and every server's state, from the stats CSV."""
    url = access.reach.published_url(f"http://{access.host}:{access.stats_port}/stats;csv")
    with httpx.Client(timeout=TIMEOUT) as http:
        csv = http.get(url).text
    return {"routes": haproxy_routes(csv), "servers": haproxy_servers(csv)}


def inspect_apps(access: Access) -> dict[str, Any]:
    """Each app's pool (HikariCP) from its metrics, and the schema version it applied."""
    apps = []
    with httpx.Client(timeout=TIMEOUT) as http:
        for name, url in sorted(access.app_metrics.items()):
            samples = parse_samples(http.get(reached_url(access.reach, url)).text)
            pool = {
                state: sum(s.value for s in samples if s.name == f"hikaricp_connections_{state}")
                for state in ("active", "idle", "pending")
                if any(s.name == f"hikaricp_connections_{state}" for s in samples)
            }
            apps.append({"name": name, "pool": pool or None})
    return {"apps": apps}


READERS: dict[str, Callable[[Access], dict[str, Any]]] = {
    "postgres": inspect_postgres,
    "redis": inspect_redis,
    "etcd": inspect_etcd,
    "haproxy": inspect_haproxy,
    "apps": inspect_apps,
}
