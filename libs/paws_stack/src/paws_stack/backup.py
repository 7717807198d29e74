"""`paws-stack backup`: the running stack's data into `.paws/backups/<UTC time>/`.

- PostgreSQL: `pg_dumpall --no-role-passwords` on the leader. A dev-sized cluster dumps in
  about a second, the dump restores into any cluster of the same major, and it carries no
  password hashes; row counts and digests are read from the dump itself.
- Redis: BGSAVE on the master, waited for until rdb_last_bgsave_status:ok, then its RDB.
- etcd: `etcdctl snapshot save` on one member, checked against its integrity hash.
- Patroni: its dynamic configuration (the DCS `config` key), for the check after a restore.

In TLS mode every one of those connections is TLS, verified against the local CA (the chain:
members are reached on their container addresses, which no certificate names); the dump and
the snapshot are taken inside the member, over its local socket and loopback.

The directory is written as `.<name>.partial` and renamed when complete: a failed or
interrupted backup leaves nothing that looks like a backup. Secret files are never copied.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from . import ports
from ._containers import exec_output, exec_to_file, exec_with_stdin
from ._lock import locked
from ._redisclient import redis_client
from .backupformat import (
    DATA_FILES,
    ETCD_SNAPSHOT,
    MANIFEST,
    PATRONI_CONFIG,
    POSTGRES_DUMP,
    REDIS_RDB,
    EtcdPart,
    Manifest,
    PatroniPart,
    PostgresPart,
    RedisPart,
    canonical_sha256,
    file_entry,
    new_backup_dir,
)
from .errors import BackupError
from .etcdsnap import Gateway, SnapshotError, auth_disabled, integrity_hash
from .health import HealthReport
from .pgdump import DUMP_ENVIRONMENT, scan_dump
from .probes import Member
from .reach import member_url
from .redisdata import bgsave_and_wait, databases, digests
from .stack import Stack
from .tls import RUNTIME_DIR

if TYPE_CHECKING:
    import redis

SNAPSHOT_IN_CONTAINER = "/tmp/paws-backup.db"  # noqa: S108 (inside the etcd container only)
# etcdctl inside a member in TLS mode: its own https listener, verified by the CA copy the
# entrypoint made (tls.RUNTIME_DIR); the certificate names 127.0.0.1.
ETCDCTL_TLS = ["--endpoints=https://127.0.0.1:2379", f"--cacert={RUNTIME_DIR}/ca.crt"]
PG_SOCKET = "/run/postgresql"
HTTP_TIMEOUT_S = 5.0
# A dataset written to during the save gets another try; after these, no digest is recorded.
DIGEST_ATTEMPTS = 3


def backups_root(stack: Stack) -> Path:
    return stack.settings.state_path / "backups"


@dataclass(frozen=True)
class Sources:
    """The members a backup (or a restore's version check) reads: one of each kind."""

    leader: Member  # Patroni's leader
    master: Member  # the Redis master
    etcd: Member

    @classmethod
    def of(cls, stack: Stack, report: HealthReport) -> Sources:
        members = {m.service: m for m in stack.inventory().members}
        roles = {c.name: (c.kind, c.role) for c in report.components if c.healthy}

        def pick(kind: str, role: str | None) -> Member:
            for name, found in sorted(roles.items()):
                if found[0] == kind and (role is None or found[1] == role):
                    member = members.get(name)
                    if member is not None and member.address:
                        return member
            raise BackupError(
                f"no healthy {kind}{f' {role}' if role else ''} in project {stack.project}",
                "see `paws-stack health`; fix the stack (or `paws-stack up`), then run again",
            )

        return cls(pick("patroni", "leader"), pick("redis", "master"), pick("etcd", None))


def url_of(stack: Stack, member: Member, port: int, path: str = "") -> str:
    """Where this process reaches Patroni's REST API or etcd on `member`: https in TLS mode."""
    return member_url(stack.reach, member.address, port, path, stack.client_tls.scheme)


def members_http(stack: Stack, timeout: float = HTTP_TIMEOUT_S) -> httpx.Client:
    """A client for `url_of`'s URLs: in TLS mode the CA verifies the members' chain."""
    return httpx.Client(timeout=timeout, verify=stack.client_tls.http_verify(check_hostname=False))


def running_versions(stack: Stack, sources: Sources) -> dict[str, str]:
    """The versions the stack runs, asked of the servers themselves."""
    with members_http(stack) as http:
        node = http.get(url_of(stack, sources.leader, ports.PATRONI_REST, "/patroni")).json()
        etcd = http.get(url_of(stack, sources.etcd, ports.ETCD_CLIENT, "/version")).json()
    server = int(node["server_version"])  # e.g. 150010 for 15.10
    info = redis_for_data(stack, sources.master).info("server")
    return {
        "postgresql": f"{server // 10000}.{server % 10000}",
        "redis": str(info["redis_version"]),
        "etcd": str(etcd["etcdserver"]),
        "patroni": str(node["patroni"]["version"]),
        "scope": str(node["patroni"]["scope"]),
    }


def redis_for_data(stack: Stack, member: Member) -> redis.Redis:
    """A data node's client for a backup or its check: patient replies (BGSAVE, digests)."""
    return redis_client(
        *stack.reach.to(str(member.address), ports.REDIS),
        stack.secrets.read("redis_password"),
        30,
        socket_connect_timeout=3,
        # SELECT picks the database of one connection: all commands must go through it.
        single_connection_client=True,
        **stack.client_tls.redis(check_hostname=False),
    )


def healthy_sources(stack: Stack) -> Sources:
    report = stack.health()
    if not report.healthy:
        raise BackupError(
            f"project {stack.project} is not healthy: {report.problems[0]}",
            "see `paws-stack health`; fix the stack first (a backup needs its leader, "
            "master and etcd quorum)",
        )
    return Sources.of(stack, report)


@locked("backup")
def take_backup(stack: Stack, now: datetime | None = None) -> tuple[Path, Manifest]:
    """Back up the running stack; returns the backup directory and its manifest."""
    from . import __version__

    started = time.monotonic()
    sources = healthy_sources(stack)
    versions = running_versions(stack, sources)
    root = backups_root(stack)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = new_backup_dir(root, now or datetime.now(UTC))
    partial = root / f".{final.name}.partial"
    partial.mkdir(mode=0o700)
    try:
        stack.progress.message(f"PostgreSQL: pg_dumpall on {sources.leader.service}")
        postgres = dump_postgres(stack, sources.leader, partial, versions["postgresql"])
        patroni = save_patroni_config(stack, sources.leader, partial, versions)
        stack.progress.message(f"Redis: BGSAVE on {sources.master.service}")
        redis_part = save_redis(stack, sources.master, partial, versions["redis"])
        stack.progress.message(f"etcd: snapshot of {sources.etcd.service}")
        etcd = save_etcd(stack, sources.etcd, partial, versions["etcd"])
        manifest = Manifest(
            name=final.name,
            created=datetime.now(UTC),
            paws_stack=__version__,
            project=stack.project,
            profile=stack.profile,
            seconds=round(time.monotonic() - started, 2),
            files={name: file_entry(partial / name) for name in DATA_FILES},
            postgres=postgres,
            redis=redis_part,
            etcd=etcd,
            patroni=patroni,
        )
        (partial / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", "utf-8")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final, manifest


def dump_postgres(stack: Stack, leader: Member, directory: Path, version: str) -> PostgresPart:
    """pg_dumpall as postgres over the local socket (peer authentication: no password)."""
    target = directory / POSTGRES_DUMP
    argv = ["pg_dumpall", "--no-role-passwords", f"--host={PG_SOCKET}", "--username=postgres"]
    exec_to_file(
        stack.client(),
        leader.container,
        argv,
        target,
        user="postgres",
        environment=DUMP_ENVIRONMENT,
    )
    with target.open("rb") as dump:
        tables = scan_dump(dump)
    return PostgresPart(method="pg_dumpall", version=version, databases=tables)


def save_patroni_config(
    stack: Stack, leader: Member, directory: Path, versions: dict[str, str]
) -> PatroniPart:
    with members_http(stack) as http:
        config = http.get(url_of(stack, leader, ports.PATRONI_REST, "/config")).json()
    text = json.dumps(config, indent=2, sort_keys=True) + "\n"
    (directory / PATRONI_CONFIG).write_text(text, "utf-8")
    return PatroniPart(
        version=versions["patroni"],
        scope=versions["scope"],
        config_sha256=canonical_sha256(config),
    )


def save_redis(stack: Stack, master: Member, directory: Path, version: str) -> RedisPart:
    """BGSAVE, its RDB copied; the digest is kept only if the data held still meanwhile."""
    client = redis_for_data(stack, master)
    keys: dict[str, int] = {}
    stable: dict[str, str] | None = None
    for _ in range(DIGEST_ATTEMPTS):
        keys, before = digests(client, databases(client.info("keyspace")))
        bgsave_and_wait(client)
        keys, after = digests(client, databases(client.info("keyspace")))
        if before == after:
            stable = after
            break
    folder = str(client.config_get("dir")["dir"])
    filename = str(client.config_get("dbfilename")["dbfilename"])
    exec_to_file(
        stack.client(), master.container, ["cat", f"{folder}/{filename}"], directory / REDIS_RDB
    )
    return RedisPart(version=version, keys=keys, digests=stable)


def _etcdctl(stack: Stack, container: str, argv: list[str]) -> str:
    """etcdctl as root; the password goes on stdin (etcdctl asks for it), never in argv."""
    password = stack.secrets.read("etcd_root_password")
    tls = ETCDCTL_TLS if stack.client_tls.enabled else []
    command = ["etcdctl", "--user", "root", "--command-timeout=60s", *tls, *argv]
    engine = stack.engine().client_path or "docker"
    done = exec_with_stdin(engine, container, command, (password + "\n").encode())
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(
            f"`etcdctl {argv[0]}` in {container} failed: {detail[-1] if detail else '?'}",
            "see `paws-stack logs etcd`; then run the backup again",
        )
    return done.stdout.decode(errors="replace")


def _snapshot_status(stack: Stack, container: str) -> dict[str, Any]:
    path = SNAPSHOT_IN_CONTAINER
    script = (
        f"etcdutl snapshot status {path} -w json 2>/dev/null "
        f"|| etcdctl snapshot status {path} -w json"
    )
    text = exec_output(stack.client(), container, ["sh", "-c", script])
    return dict(json.loads(text[text.index("{") :]))


def save_etcd(stack: Stack, member: Member, directory: Path, version: str) -> EtcdPart:
    client, target = stack.client(), directory / ETCD_SNAPSHOT
    try:
        _etcdctl(stack, member.container, ["snapshot", "save", SNAPSHOT_IN_CONTAINER])
        revision = int(_snapshot_status(stack, member.container)["revision"])
        exec_to_file(client, member.container, ["cat", SNAPSHOT_IN_CONTAINER], target)
    finally:
        exec_output(client, member.container, ["rm", "-f", SNAPSHOT_IN_CONTAINER])
    with members_http(stack) as http:
        gateway = Gateway(url_of(stack, member, ports.ETCD_CLIENT), http)
        root = gateway.login("root", stack.secrets.read("etcd_root_password"))
        keys = root.count(revision)
    data = target.read_bytes()
    try:
        integrity = integrity_hash(data)
        auth_disabled(data)  # the restore must be able to prepare it: find out now
    except SnapshotError as exc:
        raise BackupError(
            f"the etcd snapshot from {member.service} is not usable: {exc}",
            "run the backup again; if it repeats, see `paws-stack logs etcd`",
        ) from None
    return EtcdPart(version=version, keys=keys, revision=revision, integrity_sha256=integrity)
