#!/usr/bin/env python3
"""Entrypoint of the observability profile: Debian's Prometheus exporters and Prometheus.

PostgreSQL and Redis have no /metrics of their own. Each exporter reaches its server through
HAProxy (the leader, the master), so it follows a failover. As with every service here, the
password comes from /run/secrets as root, is written 0600 for the `prometheus` user (the
packages' own) to a tmpfs, and the exporter reads that file: never the environment or argv.
In TLS mode (PAWS_TLS=on) both verify their server against the local CA, host name included:
HAProxy passes TLS through, and the members' certificates name `haproxy`.

Prometheus scrapes every /metrics of the stack with the configuration paws wrote
(libs/paws_stack/src/paws_stack/prometheus.py), copied for the `prometheus` user like the
secrets (the mounted file keeps the host's owner and mode); in TLS mode its jobs name this
user's copy of the CA.

usage: paws_exporter.py postgres|redis|prometheus
"""

from __future__ import annotations

import json
import os
import pwd
import sys
from pathlib import Path

# The shared entrypoint's helpers, from the same directory in every image.
sys.path.insert(0, str(Path(__file__).parent))
import paws_tls
from paws_entrypoint import (
    RUNTIME,
    exec_as,
    own_tree,
    read_secret,
    write_private,
)

USER = "prometheus"
PASSWORD_FILE = RUNTIME / "exporter-password"
# The PostgreSQL role (post_bootstrap.py, paws_stack.monitorrole) and the name its sessions
# carry in pg_stat_activity.
PG_ROLE = "monitor"
PG_SECRET = "pg_monitor_password"
APPLICATION_NAME = "paws-exporter"
# compose.yaml's config mount, and Prometheus' volume.
PROMETHEUS_CONFIG = Path("/etc/paws/prometheus/prometheus.yml")
PROMETHEUS_DATA = Path("/var/lib/paws/prometheus")
# A development stack's recent past: one day, and never more than 512 MB of the volume.
RETENTION = ("--storage.tsdb.retention.time=1d", "--storage.tsdb.retention.size=512MB")


def _install_ca() -> bool:
    """In TLS mode, the CA copied for the exporter's user; whether TLS is on."""
    if not paws_tls.enabled():
        return False
    entry = pwd.getpwnam(USER)
    paws_tls.install(entry.pw_uid, entry.pw_gid)
    return True


def postgres_uri(target: str, tls: bool) -> str:
    """The exporter's DATA_SOURCE_URI (no credentials: those come from the user and file).

    >>> postgres_uri("haproxy:5432", False)
    'haproxy:5432/postgres?application_name=paws-exporter&sslmode=disable'
    >>> postgres_uri("haproxy:5432", True)  # doctest: +ELLIPSIS
    'haproxy:5432/postgres?application_name=paws-exporter&sslmode=verify-full&sslrootcert=/run/...'
    """
    base = f"{target}/postgres?application_name={APPLICATION_NAME}"
    if not tls:
        return f"{base}&sslmode=disable"
    return f"{base}&sslmode=verify-full&sslrootcert={paws_tls.CA_FILE}"


def run_postgres() -> None:
    """postgres_exporter 0.11 on the leader, as the monitor role: a member of pg_monitor, which
    sees pg_stat_replication and pg_stat_activity in full, and may change nothing."""
    own_tree(RUNTIME, USER, 0o700)
    write_private(PASSWORD_FILE, read_secret(PG_SECRET), USER)
    target = os.environ.get("PG_EXPORTER_TARGET", "haproxy:5432")
    os.environ["DATA_SOURCE_URI"] = postgres_uri(target, _install_ca())
    os.environ["DATA_SOURCE_USER"] = PG_ROLE
    os.environ["DATA_SOURCE_PASS_FILE"] = str(PASSWORD_FILE)
    exec_as(USER, ["prometheus-postgres-exporter", "--web.listen-address=:9187"])


def run_redis() -> None:
    """redis_exporter 1.45 on the master; its password file maps the address to a password."""
    own_tree(RUNTIME, USER, 0o700)
    tls = _install_ca()
    scheme = "rediss" if tls else "redis"
    address = f"{scheme}://{os.environ.get('REDIS_EXPORTER_TARGET', 'haproxy:6379')}"
    passwords = json.dumps({address: read_secret("redis_password")})
    write_private(PASSWORD_FILE, passwords, USER)
    verify = [f"--tls-ca-cert-file={paws_tls.CA_FILE}"] if tls else []
    exec_as(
        USER,
        [
            "prometheus-redis-exporter",
            f"--redis.addr={address}",
            f"--redis.password-file={PASSWORD_FILE}",
            *verify,
            "--web.listen-address=:9121",
        ],
    )


def run_prometheus() -> None:
    """Prometheus 2.42 on its own volume, serving :9090 (/-/ready, the API, its /metrics)."""
    own_tree(RUNTIME, USER, 0o700)
    own_tree(PROMETHEUS_DATA, USER, 0o700)
    _install_ca()
    config = RUNTIME / "prometheus.yml"
    write_private(config, PROMETHEUS_CONFIG.read_text(encoding="utf-8"), USER)
    exec_as(
        USER,
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={PROMETHEUS_DATA}",
            *RETENTION,
            "--web.listen-address=:9090",
            "--log.format=json",
        ],
    )


ROLES = {"postgres": run_postgres, "redis": run_redis, "prometheus": run_prometheus}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ROLES:
        sys.exit(f"usage: paws_exporter.py {{{'|'.join(ROLES)}}}")
    ROLES[sys.argv[1]]()
