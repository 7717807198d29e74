"""TLS mode's compose override: which certificate files each service gets, and etcd's https.

Written to `.paws/compose/<project>-tls.yaml` and given to compose after compose.yaml (and the
apps' files) only in TLS mode, so the default stack's definition is exactly what it was. The
services' own templates hold their TLS settings (compose/config/*/*-tls.*); this file hands
them the files and says PAWS_TLS=on. No secret is in it: only paths of files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .certs import SERVED_BY, CertificateStore
from .topology import Topology

MODE_VARIABLE = "PAWS_TLS"
CA_SECRET = "tls_ca"  # noqa: S105 (the name of the compose secret that holds the CA)
# Where the files appear in a container (/run/secrets/<target>); the entrypoint copies them to
# /run/paws/tls/ for the service user (compose/images/runtime/paws_tls.py reads these names).
CA_TARGET = "tls_ca.crt"
CERT_TARGET = "tls_server.crt"
KEY_TARGET = "tls_server.key"
# The copies the service user reads (etcd's settings name them).
RUNTIME_DIR = "/run/paws/tls"
# The label that tells later commands (health, endpoints, ...) the running stack is in TLS mode.
LABEL = "dev.paws.tls"
# HAProxy serves no TLS: its checks of Patroni's REST API and of Redis speak TLS, verified by
# the CA (compose/config/haproxy/haproxy.cfg appends this to its default-server line).
HAPROXY_TLS_CHECKS = f" check-ssl verify required ca-file {RUNTIME_DIR}/ca.crt"
ETCD_ENTRYPOINT = ["python3", "/usr/local/lib/paws/paws_entrypoint.py", "etcd"]
# The caps the entrypoint needs to copy the root-only files and drop to the etcd user, as the
# other services' x-hardening grants them; etcd itself runs without any.
ETCD_CAPS = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"]


def _secret_name(service: str, part: str) -> str:
    return f"tls_{service}_{part}"


def _etcd(service: str) -> dict[str, Any]:
    """etcd: https for clients and peers, started through the entrypoint to get its files."""
    files = {
        "CERT_FILE": "server.crt",
        "KEY_FILE": "server.key",
        "PEER_CERT_FILE": "server.crt",
        "PEER_KEY_FILE": "server.key",
        "PEER_TRUSTED_CA_FILE": "ca.crt",
    }
    return {
        "user": "root",
        "entrypoint": ETCD_ENTRYPOINT,
        "cap_add": ETCD_CAPS,
        "tmpfs": ["/run/paws:mode=0755"],
        "environment": {
            "ETCD_LISTEN_CLIENT_URLS": "https://0.0.0.0:2379",
            "ETCD_LISTEN_PEER_URLS": "https://0.0.0.0:2380",
            "ETCD_ADVERTISE_CLIENT_URLS": f"https://{service}:2379",
            "ETCD_INITIAL_ADVERTISE_PEER_URLS": f"https://{service}:2380",
            **{f"ETCD_{name}": f"{RUNTIME_DIR}/{file}" for name, file in files.items()},
        },
        "healthcheck": {
            "test": [
                "CMD",
                "curl",
                "-fsS",
                "-o",
                "/dev/null",
                "-m",
                "2",
                "--cacert",
                f"/run/secrets/{CA_TARGET}",
                "https://127.0.0.1:2379/health",
            ]
        },
    }


def wiring(
    topology: Topology, store: CertificateStore, data_apps: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """The override: members get the CA and their own pair; HAProxy, data apps and the
    observability services the CA.

    `data_apps` maps each app with data access to its own TLS-mode variables (x-paws.tls).
    """
    data_apps = data_apps or {}
    services: dict[str, Any] = {}
    secrets: dict[str, Any] = {CA_SECRET: {"file": str(store.ca_file.resolve())}}
    full = Topology("full")
    for kind in SERVED_BY:
        for service in full.services(kind):
            mounts = [{"source": CA_SECRET, "target": CA_TARGET}]
            for part, target, path in (
                ("crt", CERT_TARGET, store.cert(service)),
                ("key", KEY_TARGET, store.key(service)),
            ):
                secrets[_secret_name(service, part)] = {"file": str(path.resolve())}
                mounts.append({"source": _secret_name(service, part), "target": target})
            services[service] = _member(mounts)
            if kind == "etcd":
                services[service] = _merge(services[service], _etcd(service))
    services["haproxy"] = _merge(
        _member([{"source": CA_SECRET, "target": CA_TARGET}]),
        {"environment": {"HAPROXY_TLS_CHECKS": HAPROXY_TLS_CHECKS, "HAPROXY_TLS_CONNECT": " ssl"}},
    )
    for app, own in data_apps.items():
        services[app] = _merge(
            _member([{"source": CA_SECRET, "target": CA_TARGET}]),
            {"environment": {**app_environment(), **own}},
        )
    # Services the profile leaves out must not be named (compose would refuse them).
    present = set(topology.all_services())
    kept = {name: spec for name, spec in services.items() if name in present}
    # The observability profile's services (either stack) verify against the CA: the exporters
    # the leader and the master, Prometheus the members' https /metrics. Named in every
    # override, since compose.yaml always defines them.
    from .metricendpoints import OBSERVABILITY  # here: it imports members, which imports us

    for service in OBSERVABILITY:
        kept[service] = _member([{"source": CA_SECRET, "target": CA_TARGET}])
    return {"services": kept, "secrets": secrets}


def _member(mounts: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "environment": {MODE_VARIABLE: "on"},
        "labels": {LABEL: "on"},
        "secrets": mounts,
    }


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def app_environment() -> dict[str, str]:
    """What a data app learns in TLS mode: verify everything against this CA file."""
    return {
        MODE_VARIABLE: "on",
        "PAWS_CA_FILE": f"/run/paws/secrets/{CA_TARGET}",
        "PAWS_DATABASE_SSLMODE": "verify-full",
        "PAWS_REDIS_TLS": "true",
    }


def write_wiring(document: dict[str, Any], target: Path) -> Path:
    """Write the override (paths only, no secrets) and return its path.

    As JSON, which is YAML too: every value quoted, so `on` stays a string for compose.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2)
    target.write_text(f"# Written by paws for TLS mode; do not edit (it is rewritten).\n{text}\n")
    return target
