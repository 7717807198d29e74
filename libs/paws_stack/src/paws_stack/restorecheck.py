"""After a restore: the data read back and compared with the backup's manifest.

Each check is one line of the report: PostgreSQL row counts and digests per table, Patroni's
configuration, Redis keys and digests per database, etcd's key count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from . import ports
from .backup import members_http, redis_for_data, url_of
from .backupformat import Manifest, canonical_sha256
from .pgdump import SESSION_SETTINGS, copy_statement, rows_digest
from .probes import Member
from .redisdata import databases, digests
from .stack import Stack

if TYPE_CHECKING:
    import psycopg


class Check(BaseModel):
    """One comparison of restored data with the manifest."""

    component: str
    item: str
    expected: str
    actual: str
    ok: bool


class RestoreReport(BaseModel):
    """What `restore` did and found."""

    backup: str
    project: str
    seconds: float
    healthy: bool
    checks: list[Check]

    @property
    def verified(self) -> bool:
        return self.healthy and all(c.ok for c in self.checks)


def check(component: str, item: str, expected: object, actual: object) -> Check:
    return Check(
        component=component,
        item=item,
        expected=str(expected),
        actual=str(actual),
        ok=expected == actual,
    )


def _connect(stack: Stack, leader: Member, database: str) -> psycopg.Connection[Any]:
    import psycopg

    host, port = stack.reach.to(str(leader.address), ports.POSTGRES)
    return psycopg.connect(
        host=host,
        port=port,
        dbname=database,
        user="postgres",
        password=stack.secrets.read("pg_superuser_password"),
        connect_timeout=5,
        autocommit=True,
        **stack.client_tls.pg(check_hostname=False),
    )


def postgres_checks(stack: Stack, leader: Member, manifest: Manifest) -> list[Check]:
    checks = []
    for database, tables in sorted(manifest.postgres.databases.items()):
        with _connect(stack, leader, database) as connection:
            row = connection.execute(
                "SELECT pg_encoding_to_char(encoding) FROM pg_database"
                " WHERE datname = current_database()"
            ).fetchone()
            connection.execute(f"SET client_encoding = '{row[0] if row else 'UTF8'}'")
            for setting in SESSION_SETTINGS:
                connection.execute(setting)
            for table, stats in sorted(tables.items()):
                data = bytearray()
                with (
                    connection.cursor() as cursor,
                    cursor.copy(copy_statement(table, stats)) as copy,
                ):
                    for block in copy:
                        data += block
                digest = rows_digest(bytes(data))
                item = f"{database}: {table}"
                checks.append(check("postgresql", f"{item} rows", stats.rows, digest.rows))
                checks.append(
                    check("postgresql", f"{item} digest", stats.digest, digest.hexdigest())
                )
    return checks


def patroni_check(stack: Stack, leader: Member, manifest: Manifest) -> Check:
    with members_http(stack) as http:
        config = http.get(url_of(stack, leader, ports.PATRONI_REST, "/config")).json()
    return check(
        "patroni",
        "DCS configuration sha256",
        manifest.patroni.config_sha256,
        canonical_sha256(config),
    )


def redis_checks(stack: Stack, master: Member, manifest: Manifest) -> list[Check]:
    client = redis_for_data(stack, master)
    present = {str(i) for i in databases(client.info("keyspace"))}
    indexes = sorted(int(i) for i in present | set(manifest.redis.keys))
    keys, found = digests(client, indexes)
    checks = [
        check("redis", f"db{index} keys", manifest.redis.keys.get(index, 0), keys.get(index, 0))
        for index in sorted(set(keys) | set(manifest.redis.keys), key=int)
    ]
    if manifest.redis.digests is None:
        return checks  # Redis was written to during the backup: no digest to compare
    for index, digest in sorted(manifest.redis.digests.items(), key=lambda item: int(item[0])):
        checks.append(check("redis", f"db{index} digest", digest, found.get(index, "")))
    return checks
