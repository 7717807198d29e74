"""Who is the Redis master right now? Asked at container start so restarts never fork history.

Order of evidence: the Sentinels (they hold the truth once running), then the role this node
persisted (Sentinel's CONFIG REWRITE keeps `replicaof` in the node's config on its volume),
then the initial layout from compose (INITIAL_MASTER).
"""

from __future__ import annotations

import os
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import paws_tls
import redis

SENTINEL_NAME = os.environ.get("SENTINEL_MASTER_NAME", "paws")


def _resolves(host: str, timeout: float = 1.0) -> bool:
    """Whether `host` resolves quickly. Docker's DNS forwards unknown names upstream, and on
    an internal network that lookup hangs for seconds, e.g. for Sentinels not created yet."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, None).result(timeout=timeout)
    except (FutureTimeout, OSError):
        return False
    finally:
        pool.shutdown(wait=False)
    return True


def _peers(variable: str) -> list[tuple[str, int]]:
    peers = []
    for item in filter(None, os.environ.get(variable, "").split(",")):
        host, _, port = item.partition(":")
        if _resolves(host):
            peers.append((host, int(port)))
    return peers


def ask_sentinels(password: str, exclude: str = "") -> str | None:
    """The master named by the Sentinels' newest configuration (the highest config epoch).

    Every Sentinel is asked: right after a failover only the one that led it knows the new
    master for a moment (the others learn it from its hello messages), and the first answer
    could still name the node that was just replaced, which would restart as a second master.
    """
    newest: tuple[int, str] | None = None
    for host, port in _peers("SENTINELS"):
        if host == exclude:
            continue
        try:
            client = redis.Redis(
                host=host,
                port=port,
                password=password,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
                **paws_tls.redis_options(),
            )
            state = client.sentinel_master(SENTINEL_NAME)
        except (redis.RedisError, OSError):
            continue
        if not isinstance(state, dict):
            continue
        epoch, master = int(state.get("config-epoch", 0)), str(state.get("ip", ""))
        if master and (newest is None or epoch > newest[0]):
            newest = (epoch, master)
    return newest[1] if newest else None


def persisted_master(previous_config: str | None) -> str | None:
    """The master named by a previous config's replicaof line; '' if it ran as master."""
    if previous_config is None:
        return None
    for line in previous_config.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("replicaof", "slaveof"):
            return words[1]
    return ""


def redis_role_line(me: str, previous_config: str | None, password: str) -> str:
    master = ask_sentinels(password)
    if master == me:
        # A node coming back never forks history: if another node already serves as master
        # (promoted while this one was down, the Sentinels still converging), start as its
        # replica; the Sentinels would demote this node within a second anyway, dropping
        # what it took. Only asked once Sentinels run: a first start has no such node.
        master = _data_node_master(password, exclude=me) or me
    if master is None:
        master = persisted_master(previous_config)
    if master is None:
        master = os.environ["INITIAL_MASTER"]
    return "" if master in ("", me) else f"replicaof {master} 6379"


def _data_node_master(password: str, exclude: str = "") -> str | None:
    best: tuple[int, str] | None = None
    for host, port in _peers("DATA_NODES"):
        if host == exclude:
            continue
        try:
            client = redis.Redis(
                host=host,
                port=port,
                password=password,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
                **paws_tls.redis_options(),
            )
            info = client.info("replication")
        except (redis.RedisError, OSError):
            continue
        if info.get("role") == "master":
            offset = int(info.get("master_repl_offset", 0))
            if best is None or offset > best[0]:
                best = (offset, host)
    return best[1] if best else None


def sentinel_master(password: str) -> str:
    me = os.environ.get("NODE_NAME", "")
    return (
        ask_sentinels(password, exclude=me)
        or _data_node_master(password)
        or os.environ["INITIAL_MASTER"]
    )
