"""Patroni: the dynamic configuration (DCS) and members over its REST API."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from ..endpoints import PatroniEndpoint, TlsOptions, read_secret
from ..errors import CollectorError
from ..model import Setting
from . import Collected
from .redact import redact_tree


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys; lists stay values (their order matters: pg_hba)."""
    if not isinstance(node, dict):
        return {prefix: node}
    flat: dict[str, Any] = {}
    for key, value in node.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            flat |= flatten(value, name)
        else:
            flat[name] = value
    return flat


def settings_from_config(config: dict[str, Any]) -> dict[str, Setting]:
    """Patroni's /config document as flat settings, secrets redacted."""
    return {key: Setting(value=value) for key, value in flatten(redact_tree(config)).items()}


def _get(client: httpx.Client, url: str, path: str) -> Any:
    response = client.get(url.rstrip("/") + path)
    response.raise_for_status()
    return response.json()


def verification(tls: TlsOptions | None) -> ssl.SSLContext | bool:
    """httpx's `verify`: the system's CAs unless a CA file is given (then maybe not by name)."""
    if tls is None or tls.ca_file is None:
        return True
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    context.check_hostname = tls.check_hostname
    return context


def collect_patroni(endpoint: PatroniEndpoint, timeout: float) -> Collected:
    """Read /config, /cluster and /patroni from the first member that answers."""
    password = read_secret(endpoint.password_file, "patroni")
    auth = (endpoint.username, password) if endpoint.username and password else None
    errors = []
    with httpx.Client(timeout=timeout, auth=auth, verify=verification(endpoint.tls)) as client:
        for url in endpoint.urls:
            try:
                config = _get(client, url, "/config")
                cluster = _get(client, url, "/cluster")
                status = _get(client, url, "/patroni")
            except (httpx.HTTPError, ValueError) as exc:
                errors.append(f"{url}: {exc}")
                continue
            settings = settings_from_config(config)
            return Collected(
                "patroni",
                settings,
                version=str(status.get("patroni", {}).get("version") or "") or None,
                members=len(cluster.get("members", [])),
                synchronous_mode=bool(config.get("synchronous_mode", False)),
            )
    raise CollectorError(
        "patroni",
        "no member's REST API answered: " + "; ".join(errors),
        "check that the stack is up and the Patroni URLs in the endpoints file",
    )
