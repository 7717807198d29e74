"""Redis and Sentinel: CONFIG GET *, INFO and SENTINEL MASTER, read-only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis

from ..endpoints import RedisEndpoint, SentinelEndpoint, TlsOptions, read_secret
from ..errors import CollectorError
from ..model import Setting
from . import Collected
from .redact import REDACTED, redact_value

# The configuration among SENTINEL MASTER's fields; the rest is live state.
SENTINEL_SETTINGS = ("quorum", "down-after-milliseconds", "failover-timeout", "parallel-syncs")


def settings_from_config(config: Mapping[str, Any]) -> dict[str, Setting]:
    """CONFIG GET * pairs as settings, secrets redacted."""
    return {str(k): Setting(value=redact_value(str(k), str(v))) for k, v in sorted(config.items())}


def settings_from_sentinel(master: Mapping[str, Any], auth_required: bool) -> dict[str, Setting]:
    """The configuration part of SENTINEL MASTER, plus whether Sentinel asks for a password."""
    settings = {k: Setting(value=str(master[k])) for k in SENTINEL_SETTINGS if k in master}
    settings["requirepass"] = Setting(value=REDACTED if auth_required else "")
    return settings


def _client(
    url: str, password: str | None, timeout: float, tls: TlsOptions | None = None
) -> redis.Redis:
    return redis.Redis.from_url(
        url, password=password, socket_timeout=timeout, socket_connect_timeout=timeout,
        decode_responses=True, **tls_arguments(tls),
    )  # fmt: skip


def tls_arguments(tls: TlsOptions | None) -> dict[str, Any]:
    """redis-py's arguments for a verified rediss:// connection ({} when not configured).

    >>> tls_arguments(None)
    {}
    >>> tls_arguments(TlsOptions(ca_file="/ca.crt", check_hostname=False))["ssl_check_hostname"]
    False
    """
    if tls is None or tls.ca_file is None:
        return {}
    return {
        "ssl_ca_certs": str(tls.ca_file),
        "ssl_cert_reqs": "required",
        "ssl_check_hostname": tls.check_hostname,
    }


def collect_redis(endpoint: RedisEndpoint, timeout: float) -> Collected:
    """CONFIG GET * and the version and replica count from the master."""
    password = read_secret(endpoint.password_file, "redis")
    try:
        client = _client(endpoint.url, password, timeout, endpoint.tls)
        config: dict[str, Any] = dict(client.config_get("*"))  # type: ignore[arg-type]
        server = client.info("server")
        replication = client.info("replication")
    except redis.RedisError as exc:
        raise CollectorError(
            "redis", f"{endpoint.url}: {exc}",
            "check that the stack is up and the Redis URL and password file in the endpoints file",
        ) from None  # fmt: skip
    return Collected(
        "redis",
        settings_from_config(config),
        version=str(server.get("redis_version") or "") or None,
        members=1 + int(replication.get("connected_slaves", 0)),
    )


def _asks_for_password(url: str, timeout: float, tls: TlsOptions | None) -> bool:
    try:
        _client(url, None, timeout, tls).ping()
    except redis.AuthenticationError:
        return True
    except redis.ResponseError as exc:
        # NOAUTH (Redis 6+: "Authentication required") contains AUTH: one test covers both.
        return "AUTH" in str(exc)
    return False


def collect_sentinel(endpoint: SentinelEndpoint, timeout: float) -> Collected:
    """SENTINEL MASTER from the first Sentinel that answers."""
    password = read_secret(endpoint.password_file, "sentinel")
    errors = []
    for url in endpoint.urls:
        try:
            answer = _client(url, password, timeout, endpoint.tls).sentinel_master(endpoint.master)
            master: dict[str, Any] = answer if isinstance(answer, dict) else {}
            auth_required = _asks_for_password(url, timeout, endpoint.tls)
        except redis.RedisError as exc:
            errors.append(f"{url}: {exc}")
            continue
        return Collected(
            "sentinel",
            settings_from_sentinel(master, auth_required),
            members=1 + int(master.get("num-other-sentinels", 0)),
            sentinel_quorum=int(master["quorum"]) if "quorum" in master else None,
        )
    raise CollectorError(
        "sentinel",
        "no Sentinel answered: " + "; ".join(errors),
        "check that the stack is up and the Sentinel URLs and master name in the endpoints file",
    )
