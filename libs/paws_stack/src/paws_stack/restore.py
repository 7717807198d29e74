"""`paws-stack restore <backup>`: the stack's data replaced by a backup's, Patroni-aware.

First, with nothing touched: the backup must be a paws backup, intact (every checksum), and
of the stack's major versions. Then:

1. every service stops (apps gracefully, the rest at once: their data is being replaced);
2. one container without network rewrites the volumes: every etcd member restored from the
   same snapshot as a new cluster (auth flag off, see etcdsnap), PostgreSQL emptied, the Redis
   master given the RDB as its AOF base, the replicas emptied;
3. etcd starts; its key count is checked, and Patroni's old cluster state is removed so that
   the restored configuration bootstraps a fresh cluster (current secrets: post_bootstrap
   creates the app and monitor roles, the entrypoint sets etcd's users up again);
4. the stack starts; on the new leader the dump is loaded, the monitor role converged (a dump
   from before it lacks it) and the roles' passwords are reset from the current secrets; the
   replicas clone the leader, Redis replicas resync;
5. once healthy, row counts and digests are compared with the manifest.

In TLS mode the same, over TLS verified by the local CA, and etcd re-created with https peer
URLs. A backup does not depend on the mode it was taken in: the data is the same either way.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import docker.errors
import httpx

from . import ports
from ._containers import exec_with_stdin, run_oneoff
from ._lock import locked
from ._startup import show_services
from .backup import PG_SOCKET, Sources, backups_root, members_http, running_versions, url_of
from .backupformat import (
    ETCD_SNAPSHOT,
    LIST_FIX,
    POSTGRES_DUMP,
    REDIS_RDB,
    Manifest,
    read_manifest,
    require_intact,
    require_same_majors,
    resolve,
)
from .compose import finish, last_lines, stop_group
from .errors import BackupError, BackupRefused, ComposeError
from .etcdsnap import Gateway, SnapshotError, auth_disabled, integrity_hash, patroni_state_keys
from .health import HealthReport
from .monitorrole import MONITOR_ROLE, MONITOR_SECRET, converge_monitor_role
from .pgdump import unexpected_errors
from .probes import Member
from .redisdata import AOF_BASE, AOF_DIR, AOF_INCR, AOF_MANIFEST, aof_manifest
from .restorecheck import Check, RestoreReport, check, patroni_check, postgres_checks, redis_checks
from .stack import Stack
from .topology import Kind, Topology

POLL_S = 0.5
# compose.yaml: ETCD_INITIAL_CLUSTER_TOKEN (a cluster id, not a secret)
ETCD_CLUSTER_TOKEN = "paws-etcd"  # noqa: S105
ETCD_DATA = "data"  # ETCD_DATA_DIR relative to the etcd volume
# Patroni's role for each password (compose/config/patroni/patroni.yml, post_bootstrap.py).
ROLE_SECRETS = {
    "postgres": "pg_superuser_password",
    "replicator": "pg_replication_password",
    "rewinder": "pg_rewind_password",
    "app": "pg_app_password",
    MONITOR_ROLE: MONITOR_SECRET,
}
ONEOFF_LABEL = "dev.paws.restore"
T = TypeVar("T")


@dataclass(frozen=True)
class CheckedBackup:
    """A backup that passed every check a restore makes before touching anything."""

    path: Path
    manifest: Manifest
    snapshot: bytes  # the etcd snapshot, auth flag off, with its new integrity hash


def check_backup(stack: Stack, reference: str) -> CheckedBackup:
    """Refuse (BackupRefused) a foreign, malformed, corrupt or other-major backup."""
    path = resolve(backups_root(stack), reference)
    manifest = read_manifest(path)
    require_intact(path, manifest)
    snapshot = (path / ETCD_SNAPSHOT).read_bytes()
    try:
        if integrity_hash(snapshot) != manifest.etcd.integrity_sha256:
            raise SnapshotError("its integrity hash is not the one the manifest recorded")
        prepared = auth_disabled(snapshot)
    except SnapshotError as exc:
        raise BackupRefused(
            f"backup {path.name} is corrupt: its etcd snapshot is not usable: {exc}",
            f"restore another backup, or take a new one; {LIST_FIX}",
        ) from None
    versions = running_versions(stack, Sources.of(stack, stack.health()))
    require_same_majors(manifest, versions)
    if manifest.patroni.scope != versions["scope"]:
        raise BackupRefused(
            f"backup {path.name} is of Patroni cluster {manifest.patroni.scope!r}; this stack "
            f"runs {versions['scope']!r}",
            "restore it into a stack of that cluster, or take a new backup of this one",
        )
    return CheckedBackup(path, manifest, prepared)


@locked("restore")
def restore_backup(
    stack: Stack, backup: CheckedBackup, timeout: float | None = None
) -> RestoreReport:
    """Replace the stack's data with the backup's; returns once healthy and compared."""
    started = time.monotonic()
    deadline = started + (timeout or stack.settings.wait_timeout)
    stack.progress.message(
        f"restoring {backup.manifest.name}; if interrupted from here on, run this restore again"
    )
    stop_services(stack)
    stack.progress.message("volumes: etcd from the snapshot, PostgreSQL empty, Redis from the RDB")
    prepare_volumes(stack, backup)
    checks = [start_etcd(stack, backup.manifest, deadline)]
    report = start_stack(stack, backup, deadline)
    sources = Sources.of(stack, report)
    stack.progress.message("healthy; comparing the data with the manifest")
    checks += postgres_checks(stack, sources.leader, backup.manifest)
    checks.append(patroni_check(stack, sources.leader, backup.manifest))
    checks += redis_checks(stack, sources.master, backup.manifest)
    return RestoreReport(
        backup=backup.manifest.name,
        project=stack.project,
        seconds=round(time.monotonic() - started, 1),
        healthy=report.healthy,
        checks=checks,
    )


def stop_services(stack: Stack) -> None:
    apps = stack.topology.services("app")
    compose = stack.compose()
    if apps:
        compose.run("stop", *apps)
    infra = [s for s in stack.topology.all_services() if s not in apps]
    stack.progress.message(f"stopping {len(infra)} services")
    compose.run("stop", "--timeout", "0", *infra)


def volume_script(topology: Topology, tls: bool = False) -> str:
    """The shell script the one-off container runs over the volumes mounted at /v/<service>;
    `tls`: etcd's peers speak https (TLS mode).

    >>> print(volume_script(Topology("lite")))  # doctest: +ELLIPSIS
    set -eu
    tool=etcdutl; command -v etcdutl >/dev/null 2>&1 || tool=etcdctl
    rm -rf /v/etcd-0/data
    "$tool" snapshot restore /restore/etcd.db --name etcd-0 ...
    """
    cluster = topology.compose_env(tls)["PAWS_ETCD_CLUSTER"]
    peer = "https" if tls else "http"
    lines = ["set -eu", "tool=etcdutl; command -v etcdutl >/dev/null 2>&1 || tool=etcdctl"]
    for member in topology.services("etcd"):
        lines += [
            f"rm -rf /v/{member}/{ETCD_DATA}",
            f'"$tool" snapshot restore /restore/{ETCD_SNAPSHOT} --name {member}'
            f" --initial-cluster {cluster} --initial-cluster-token {ETCD_CLUSTER_TOKEN}"
            f" --initial-advertise-peer-urls {peer}://{member}:2380"
            f" --data-dir /v/{member}/{ETCD_DATA}",
            f"chown -R etcd:etcd /v/{member}",
        ]
    for member in topology.services("patroni") + topology.services("redis"):
        lines.append(f"find /v/{member} -mindepth 1 -delete")
    master = f"/v/{topology.services('redis')[0]}"  # the initial master (INITIAL_MASTER)
    lines += [
        f"mkdir {master}/{AOF_DIR}",
        f"cp /restore/{REDIS_RDB} {master}/{AOF_DIR}/{AOF_BASE}",
        f": > {master}/{AOF_DIR}/{AOF_INCR}",
        f"cp /restore/{AOF_MANIFEST} {master}/{AOF_DIR}/{AOF_MANIFEST}",
        f"chown -R redis:redis {master}",
    ]
    return "\n".join(lines)


def prepare_volumes(stack: Stack, backup: CheckedBackup) -> None:
    topology, client = stack.topology, stack.client()
    kinds: tuple[Kind, ...] = ("etcd", "patroni", "redis")
    services = [s for kind in kinds for s in topology.services(kind)]
    volumes = {f"{stack.project}_{s}": f"/v/{s}" for s in services}
    missing = sorted(set(volumes) - set(stack.inventory().volumes))
    if missing:
        raise BackupError(
            f"volumes {', '.join(missing)} of project {stack.project} do not exist",
            "start the stack once (`paws-stack up`), then run the restore again",
        )
    etcd = next(m for m in stack.inventory().members if m.kind == "etcd")
    image = client.containers.get(etcd.container).image.id
    name = f"{stack.project}-restore"
    with contextlib.suppress(docker.errors.NotFound):
        client.containers.get(name).remove(force=True)  # left by a killed restore: ours
    files: dict[str, Path | bytes] = {
        f"restore/{ETCD_SNAPSHOT}": backup.snapshot,
        f"restore/{REDIS_RDB}": backup.path / REDIS_RDB,
        f"restore/{AOF_MANIFEST}": aof_manifest().encode(),
    }
    run_oneoff(
        client,
        image,
        name,
        volumes,
        volume_script(topology, stack.client_tls.enabled),
        files,
        {ONEOFF_LABEL: stack.project},
    )


def _members(stack: Stack, kind: str) -> list[Member]:
    return [m for m in stack.inventory().members if m.kind == kind and m.address]


def _wait(what: str, deadline: float, probe: Callable[[], T | None]) -> T:
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise BackupError(
                f"the restore waited for {what} in vain; the stack is stopped half-way",
                "see `paws-stack logs`; fix the cause, then run the same restore again",
            )
        time.sleep(POLL_S)


def _healthy_etcd(stack: Stack, http: httpx.Client) -> Member | None:
    members = _members(stack, "etcd")
    if len(members) != stack.topology.count("etcd"):
        return None
    urls = [url_of(stack, m, ports.ETCD_CLIENT, "/health") for m in members]
    try:
        ok = all(http.get(url).json().get("health") == "true" for url in urls)
    except (httpx.HTTPError, ValueError):
        return None
    return members[0] if ok else None


def start_etcd(stack: Stack, manifest: Manifest, deadline: float) -> Check:
    """Start the restored etcd cluster, count its keys, remove Patroni's old cluster state."""
    stack.compose().run("start", *stack.topology.services("etcd"))
    with members_http(stack, timeout=2) as http:
        member = _wait("etcd", deadline, lambda: _healthy_etcd(stack, http))
        gateway = Gateway(url_of(stack, member, ports.ETCD_CLIENT), http)
        counted = check("etcd", "keys", manifest.etcd.keys, gateway.count())
        scope = manifest.patroni.scope
        for key in patroni_state_keys(gateway.keys(f"/service/{scope}/"), scope):
            gateway.delete(key)
    return counted


def _new_leader(stack: Stack, http: httpx.Client) -> Member | None:
    for member in _members(stack, "patroni"):
        try:
            url = url_of(stack, member, ports.PATRONI_REST, "/primary")
            if http.get(url).status_code == 200:
                return member
        except httpx.HTTPError:
            continue
    return None


def start_stack(stack: Stack, backup: CheckedBackup, deadline: float) -> HealthReport:
    """compose up; meanwhile the dump goes into the new leader as soon as it leads."""
    process = stack.compose().popen("up", "--detach", "--remove-orphans", "--no-build")
    try:
        with members_http(stack, timeout=2) as http:
            leader = _wait("a PostgreSQL leader", deadline, lambda: _new_leader(stack, http))
        stack.progress.message(f"loading the dump into {leader.service}")
        load_dump(stack, leader, backup.path / POSTGRES_DUMP)
        reset_passwords(stack, leader)
        output = finish(process, deadline, _too_slow, lambda: show_services(stack), POLL_S)
    finally:
        stop_group(process)
    if process.returncode != 0:
        raise ComposeError(
            f"starting the restored stack failed: {last_lines(output, 3)}",
            "see `paws-stack logs`; fix the cause, then run the same restore again",
        )
    return stack.wait_healthy(deadline)


def _too_slow() -> BackupError:
    return BackupError(
        "starting the restored stack took too long",
        "see `paws-stack logs`; raise PAWS_WAIT_TIMEOUT on a slow machine",
    )


def load_dump(stack: Stack, leader: Member, dump: Path) -> None:
    argv = ["psql", "-X", "-q", f"--host={PG_SOCKET}", "--username=postgres", "-d", "postgres"]
    engine = stack.engine().client_path or "docker"
    with dump.open("rb") as handle:
        done = exec_with_stdin(engine, leader.container, [*argv, "-f", "-"], handle, "postgres")
    errors = unexpected_errors(done.stderr.decode(errors="replace"))
    if done.returncode != 0 or errors:
        detail = errors[0] if errors else last_lines(done.stderr.decode(errors="replace"))
        raise BackupError(
            f"loading {dump.name} into {leader.service} failed: {detail}",
            "the dump does not load into this cluster; restore another backup",
        )


def reset_passwords(stack: Stack, leader: Member) -> None:
    """Each Patroni role's password from the current secrets (the dump holds none).

    The monitor role is converged first: created if the bootstrap did not, set back if the
    dump's own ALTER ROLE statements changed it (a backup of a cluster where it drifted)."""
    import psycopg
    from psycopg import sql

    host, port = stack.reach.to(str(leader.address), ports.POSTGRES)
    with psycopg.connect(
        host=host,
        port=port,
        dbname="postgres",
        user="postgres",
        password=stack.secrets.read("pg_superuser_password"),
        connect_timeout=5,
        autocommit=True,
        **stack.client_tls.pg(check_hostname=False),
    ) as connection:
        for change in converge_monitor_role(connection, stack.secrets.read(MONITOR_SECRET)):
            stack.progress.message(change.describe())
        for role, secret in ROLE_SECRETS.items():
            statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(stack.secrets.read(secret))
            )
            connection.execute(statement)
