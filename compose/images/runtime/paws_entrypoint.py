#!/usr/bin/env python3
"""Container entrypoint: render a service's config with its secrets, then run it unprivileged.

Secrets arrive as files under /run/secrets (compose `secrets:`), owned by the host user with
mode 0600, so only root in the container can read them. This script runs as root, writes the
rendered config (0600, owned by the service user) to a tmpfs or the service's volume, drops to
the service user and execs the server. Passwords never enter the environment or an argv.

Placeholders: {{secret:NAME}} (file /run/secrets/NAME), {{env:NAME}} (non-secret settings
from compose), {{var:NAME}} (computed here, e.g. the Redis role line).
"""

from __future__ import annotations

import os
import pwd
import re
import sys
from pathlib import Path

import paws_tls

SECRETS = Path("/run/secrets")
TEMPLATES = Path("/etc/paws/templates")
RUNTIME = Path("/run/paws")
PLACEHOLDER = re.compile(r"\{\{(secret|env|var):([A-Za-z0-9_]+)\}\}")


def read_secret(name: str) -> str:
    return (SECRETS / name).read_text(encoding="utf-8").strip()


def render(template: str, variables: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        kind, name = match.groups()
        if kind == "secret":
            return read_secret(name)
        if kind == "env":
            return os.environ[name]
        return variables[name]

    return PLACEHOLDER.sub(substitute, template)


def write_private(path: Path, text: str, user: str) -> None:
    account = pwd.getpwnam(user)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)
    os.chown(path, account.pw_uid, account.pw_gid)


def own_tree(path: Path, user: str, mode: int) -> None:
    """Give a (possibly fresh) volume to the service user; volumes may come up root-owned."""
    account = pwd.getpwnam(user)
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_uid != account.pw_uid:
        for root, dirs, files in os.walk(path):
            for name in [Path(root), *(Path(root) / n for n in dirs + files)]:
                os.lchown(name, account.pw_uid, account.pw_gid)
    path.chmod(mode)


def exec_as(user: str, argv: list[str]) -> None:
    account = pwd.getpwnam(user)
    os.initgroups(user, account.pw_gid)
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    os.environ["HOME"] = account.pw_dir
    os.environ["USER"] = user
    sys.stdout.flush()
    os.execvp(argv[0], argv)


def log(message: str) -> None:
    print(f"paws-entrypoint: {message}", file=sys.stderr, flush=True)


# --- service roles --------------------------------------------------------------------------


def run_patroni() -> None:
    import etcd_auth

    # Before Patroni's first write: its DCS must never be open to anyone on the network.
    etcd_auth.ensure(
        os.environ["ETCD_HOSTS"].split(","),
        read_secret("etcd_root_password"),
        read_secret("etcd_patroni_password"),
        log,
    )
    data = Path("/var/lib/paws/postgres")
    own_tree(data, "postgres", 0o700)
    own_tree(RUNTIME, "postgres", 0o700)
    own_tree(Path("/run/postgresql"), "postgres", 0o2775)  # the socket's tmpfs (compose.yaml)
    # post_bootstrap (running as postgres) needs the app's and the exporter's passwords to
    # create their roles.
    for name in ("pg_app_password", "pg_monitor_password"):
        write_private(RUNTIME / name, read_secret(name), "postgres")
    config = RUNTIME / "patroni.yml"
    text = render((TEMPLATES / "patroni.yml").read_text(), {})
    if paws_tls.enabled():
        install_tls("postgres")
        text = with_tls_overlay(text, render((TEMPLATES / "patroni-tls.yml").read_text(), {}))
    write_private(config, text, "postgres")
    exec_as("postgres", ["patroni", str(config)])


def run_redis() -> None:
    from paws_roles import redis_role_line

    data = Path("/var/lib/paws/redis")
    own_tree(data, "redis", 0o750)
    config = data / "redis.conf"
    previous = config.read_text() if config.exists() else None
    role = redis_role_line(os.environ["NODE_NAME"], previous, read_secret("redis_password"))
    log(f"starting as {role or 'master'}")
    text = render((TEMPLATES / "redis.conf").read_text(), {"role": role})
    if paws_tls.enabled():
        install_tls("redis")
        # Redis takes the last value of a repeated directive: the overlay's ports win.
        text += "\n" + render((TEMPLATES / "redis-tls.conf").read_text(), {})
    write_private(config, text, "redis")
    exec_as("redis", ["redis-server", str(config)])


def run_sentinel() -> None:
    from paws_roles import sentinel_master

    data = Path("/var/lib/paws/sentinel")
    own_tree(data, "redis", 0o750)
    master = sentinel_master(read_secret("redis_password"))
    log(f"monitoring master {master}")
    config = data / "sentinel.conf"
    text = render((TEMPLATES / "sentinel.conf").read_text(), {"master": master})
    if paws_tls.enabled():
        install_tls("redis")
        text += "\n" + render((TEMPLATES / "sentinel-tls.conf").read_text(), {})
    write_private(config, text, "redis")
    exec_as("redis", ["redis-sentinel", str(config)])


def run_haproxy() -> None:
    own_tree(RUNTIME, "haproxy", 0o700)
    config = RUNTIME / "haproxy.cfg"
    if paws_tls.enabled():
        # The checks' CA (HAPROXY_TLS_CHECKS names it); HAProxy serves no TLS itself.
        install_tls("haproxy")
    write_private(config, render((TEMPLATES / "haproxy.cfg").read_text(), {}), "haproxy")
    exec_as("haproxy", ["haproxy", "-W", "-db", "-f", str(config)])


def run_app(argv: list[str]) -> None:
    """An application: its secret files, readable by the app user only, then its command.

    Apps read secrets as files from PAWS_SECRETS_MOUNT (/run/paws/secrets/, a tmpfs), e.g.
    with Spring's `configtree:` import; the originals under /run/secrets stay root-only.
    """
    if not argv:
        sys.exit("paws-entrypoint: app needs a command (the image's CMD)")
    secrets = RUNTIME / "secrets"
    own_tree(RUNTIME, "app", 0o700)
    own_tree(secrets, "app", 0o700)
    for source in sorted(SECRETS.glob("*")) if SECRETS.is_dir() else []:
        write_private(secrets / source.name, read_secret(source.name), "app")
    exec_as("app", argv)


def run_etcd() -> None:
    """etcd in TLS mode only (the default image starts etcd directly, as the etcd user)."""
    own_tree(Path("/var/lib/paws/etcd"), "etcd", 0o700)
    install_tls("etcd")
    exec_as("etcd", ["etcd"])


# --- TLS mode (PAWS_TLS=on) -----------------------------------------------------------------


def install_tls(user: str) -> None:
    account = pwd.getpwnam(user)
    paws_tls.install(account.pw_uid, account.pw_gid)


def with_tls_overlay(text: str, overlay: str) -> str:
    """Patroni's rendered YAML with the TLS overlay merged in (mappings deep, lists replaced)."""
    import yaml  # PyYAML: Patroni's own dependency, so present wherever Patroni is

    def merge(base: dict[str, object], extra: dict[str, object]) -> dict[str, object]:
        for key, value in extra.items():
            current = base.get(key)
            if isinstance(value, dict) and isinstance(current, dict):
                merge(current, value)
            else:
                base[key] = value
        return base

    merged = merge(yaml.safe_load(text), yaml.safe_load(overlay))
    return str(yaml.safe_dump(merged, default_flow_style=False, sort_keys=False))


ROLES = {
    "patroni": run_patroni,
    "redis": run_redis,
    "sentinel": run_sentinel,
    "haproxy": run_haproxy,
    "etcd": run_etcd,
}

if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "app":
        run_app(sys.argv[2:])
    if len(sys.argv) != 2 or sys.argv[1] not in ROLES:
        sys.exit(f"usage: paws_entrypoint.py {{{'|'.join(ROLES)}|app <command>}}")
    sys.path.insert(0, str(Path(__file__).parent))
    ROLES[sys.argv[1]]()
