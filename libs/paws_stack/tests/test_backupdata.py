"""Tests for the data-side pure logic of backup and restore: dumps, snapshots, Redis, volumes."""

from __future__ import annotations

import hashlib

import pytest

from paws_stack.etcdsnap import (
    AUTH_OFF,
    AUTH_ON,
    SnapshotError,
    auth_disabled,
    integrity_hash,
    patroni_state_keys,
)
from paws_stack.pgdump import rows_digest, scan_dump, unexpected_errors
from paws_stack.redisdata import aof_manifest, databases, save_counter
from paws_stack.restore import volume_script
from paws_stack.topology import Topology

DUMP = b"""--
-- PostgreSQL database cluster dump
--
CREATE ROLE app;
\\connect template1
\\connect postgres
COPY public.notes (id, body) FROM stdin;
1\tin postgres
\\.
\\connect -reuse-previous=on "dbname='it''s'"
COPY public.t (id) FROM stdin;
7
\\.
\\connect app
COPY public.items (id, name, at) FROM stdin;
1\tone\t2026-12-02 02:00:00+00
2\ttwo\t\\N
3\tthree\t2026-12-02 02:00:01+00
\\.
COPY "My Schema"."Odd Table" (x) FROM stdin;
\\.
"""


def snapshot(body: bytes) -> bytes:
    return body + hashlib.sha256(body).digest()


def page_with(flag: bytes) -> bytes:
    return b"\0" * 100 + flag + b"\0" * (4096 - 100 - len(flag))


class TestScanDump:
    def test_tables_are_found_per_database(self) -> None:
        """Each COPY block counts under the database of the last \\connect."""
        found = scan_dump(DUMP.splitlines(keepends=True))
        assert {db: sorted(tables) for db, tables in found.items()} == {
            "postgres": ["public.notes"],
            "it's": ["public.t"],
            "app": ['"My Schema"."Odd Table"', "public.items"],
        }
        items = found["app"]["public.items"]
        assert (items.rows, items.columns) == (3, "id, name, at")
        assert found["app"]['"My Schema"."Odd Table"'].rows == 0

    def test_the_digest_is_that_of_copy_output_in_any_order(self) -> None:
        """What COPY TO STDOUT returns after a restore, rows in another order, matches."""
        items = scan_dump(DUMP.splitlines())["app"]["public.items"]
        live = b"3\tthree\t2026-12-02 02:00:01+00\n1\tone\t2026-12-02 02:00:00+00\n2\ttwo\t\\N\n"
        assert rows_digest(live).hexdigest() == items.digest
        assert rows_digest(live).rows == 3

    def test_one_changed_or_extra_row_changes_the_digest(self) -> None:
        """The digest tells a restored set from one written to later."""
        items = scan_dump(DUMP.splitlines())["app"]["public.items"]
        changed = b"1\tone\t2026-12-02 02:00:00+00\n2\tTWO\t\\N\n3\tthree\t2026-12-02 02:00:01+00\n"
        assert rows_digest(changed).hexdigest() != items.digest
        extra = DUMP.split(b"COPY public.items")[1].split(b"\\.")[0].split(b"\n", 1)[1]
        assert rows_digest(extra + b"4\tfour\t\\N\n").hexdigest() != items.digest


class TestPsqlErrors:
    def test_only_the_bootstrapped_objects_are_tolerated(self) -> None:
        """Roles and the database Patroni made already exist; anything else is a failure."""
        stderr = "\n".join(
            [
                'psql:<stdin>:14: ERROR:  role "postgres" already exists',
                'psql:<stdin>:30: ERROR:  database "app" already exists',
                'psql:<stdin>:99: ERROR:  relation "public.items" already exists',
                "psql:<stdin>:120: WARNING:  no privileges were granted",
            ]
        )
        assert unexpected_errors(stderr) == [
            'psql:<stdin>:99: ERROR:  relation "public.items" already exists'
        ]


class TestEtcdSnapshot:
    def test_an_intact_snapshot_gives_its_hash(self) -> None:
        """The trailer is the SHA-256 of the database before it."""
        body = page_with(AUTH_ON)
        assert integrity_hash(snapshot(body)) == hashlib.sha256(body).hexdigest()

    @pytest.mark.parametrize(
        ("data", "said"),
        [
            (page_with(AUTH_ON), "carries no integrity hash"),
            (page_with(AUTH_ON) + b"\1" * 32, "does not match its content"),
        ],
    )
    def test_a_damaged_snapshot_is_refused(self, data: bytes, said: str) -> None:
        """No trailer, or one that does not match, is what etcd itself would refuse."""
        with pytest.raises(SnapshotError, match=said):
            integrity_hash(data)

    def test_auth_is_turned_off_and_the_hash_renewed(self) -> None:
        """The one flag byte changes; the result is a snapshot etcd accepts."""
        patched = auth_disabled(snapshot(page_with(AUTH_ON)))
        assert AUTH_OFF in patched and AUTH_ON not in patched
        assert len(patched) == 4096 + 32
        assert integrity_hash(patched)

    def test_a_snapshot_with_auth_off_stays_as_it_is(self) -> None:
        """Nothing to change: the same bytes come back."""
        original = snapshot(page_with(AUTH_OFF))
        assert auth_disabled(original) == original

    def test_a_snapshot_without_the_flag_is_refused(self) -> None:
        """Another etcd layout: refuse rather than restore users nobody can log in as."""
        with pytest.raises(SnapshotError, match="auth flag is not where"):
            auth_disabled(snapshot(page_with(b"something else")))

    def test_patronis_state_goes_and_its_configuration_stays(self) -> None:
        """Only the scope's own keys, and never its config."""
        keys = [
            "/service/paws/config",
            "/service/paws/initialize",
            "/service/paws/sync",
            "/service/other/leader",
        ]
        assert patroni_state_keys(keys, "paws") == [
            "/service/paws/initialize",
            "/service/paws/sync",
        ]


class TestRedis:
    def test_the_aof_manifest_names_the_base_and_an_increment(self) -> None:
        """Redis 7's multi-part manifest: one line each, newline-terminated."""
        lines = aof_manifest().splitlines(keepends=True)
        assert lines == [
            "file appendonly.aof.1.base.rdb seq 1 type b\n",
            "file appendonly.aof.1.incr.aof seq 1 type i\n",
        ]

    def test_databases_come_from_the_keyspace(self) -> None:
        """Only dbN entries, sorted by number."""
        assert databases({"db10": {}, "db1": {}, "other": 1}) == [1, 10]

    def test_a_save_counts_by_saves_or_by_time(self) -> None:
        """Either field moving shows a completed save; missing fields count as 0."""
        assert save_counter({}) == (0, 0)
        assert save_counter({"rdb_last_save_time": 5}) != save_counter({"rdb_last_save_time": 6})


class TestVolumeScript:
    def test_every_etcd_member_is_restored_from_the_one_snapshot(self) -> None:
        """Full profile: three restores, each with its own name and the whole cluster."""
        script = volume_script(Topology("full"))
        restores = [line for line in script.splitlines() if "snapshot restore" in line]
        assert len(restores) == 3
        assert all("/restore/etcd.db" in line for line in restores)
        cluster = "etcd-0=http://etcd-0:2380,etcd-1=http://etcd-1:2380,etcd-2=http://etcd-2:2380"
        assert all(f"--initial-cluster {cluster}" in line for line in restores)
        assert [line.split("--name ")[1].split()[0] for line in restores] == [
            "etcd-0",
            "etcd-1",
            "etcd-2",
        ]

    def test_in_tls_mode_the_peers_are_restored_on_https(self) -> None:
        """The new cluster's peer URLs are the ones TLS mode's etcd listens on (tls.py)."""
        restores = [
            line
            for line in volume_script(Topology("full"), tls=True).splitlines()
            if "snapshot restore" in line
        ]
        assert len(restores) == 3 and "http://" not in "".join(restores)
        assert "etcd-1=https://etcd-1:2380" in restores[0]
        assert "--initial-advertise-peer-urls https://etcd-2:2380" in restores[2]

    def test_postgres_and_redis_are_emptied_and_the_master_gets_the_rdb(self) -> None:
        """Patroni bootstraps fresh; only redis-0 (the initial master) gets data."""
        script = volume_script(Topology("full"))
        for member in ("patroni-0", "patroni-1", "patroni-2", "redis-0", "redis-1", "redis-2"):
            assert f"find /v/{member} -mindepth 1 -delete" in script
        assert "cp /restore/redis.rdb /v/redis-0/appendonlydir/appendonly.aof.1.base.rdb" in script
        assert "redis-1/appendonlydir" not in script
        assert script.startswith("set -eu\n")
