"""Backup and restore benchmarks (issue 12): targets backup <= 10 s, restore to healthy <= 60 s.

A dev-sized dataset first: 20 000 rows in PostgreSQL, 2 000 Redis keys. The profile is lite
without the apps unless PAWS_BENCH_BACKUP_PROFILE=full (on 2 shared cores the full stack with
the apps would measure the neighbours as much as the backup). Backups made are removed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from benchmarks.conftest import ROOT
from paws_stack import Stack
from paws_stack.backup import take_backup
from paws_stack.restore import check_backup, restore_backup

PROFILE = os.environ.get("PAWS_BENCH_BACKUP_PROFILE", "lite")
ROWS, KEYS = 20_000, 2_000
BACKUP_TARGET_S, RESTORE_TARGET_S = 10.0, 60.0


@pytest.fixture(scope="module")
def seeded() -> Iterator[Stack]:
    stack = Stack.from_settings(project_dir=ROOT, profile=PROFILE, apps=PROFILE == "full")
    stack.up(assume_yes=True)
    settings = stack.settings
    with psycopg.connect(
        host=settings.bind_address,
        port=settings.pg_port,
        dbname="app",
        user="app",
        password=stack.secrets.read("pg_app_password"),
        autocommit=True,
    ) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_backup")
        conn.execute("CREATE TABLE bench_backup (id int PRIMARY KEY, body text, at timestamptz)")
        conn.execute(
            "INSERT INTO bench_backup SELECT g, md5(g::text), now() FROM generate_series(1, %s) g",
            (ROWS,),
        )
    client = redis.Redis(
        host=settings.bind_address,
        port=settings.redis_port,
        password=stack.secrets.read("redis_password"),
    )
    with client.pipeline() as pipe:
        for i in range(KEYS):
            pipe.set(f"bench:backup:{i}", f"value {i}")
        pipe.execute()
    yield stack


@pytest.fixture(scope="module")
def made() -> Iterator[list[Path]]:
    paths: list[Path] = []
    yield paths
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def test_backup_of_the_dev_sized_stack(benchmark: Any, seeded: Stack, made: list[Path]) -> None:
    """`take_backup` from a healthy stack to a complete backup directory."""
    load_before = _load()

    def once() -> Path:
        path, _ = take_backup(seeded)
        made.append(path)
        return path

    path = benchmark.pedantic(once, rounds=3, iterations=1)
    manifest = check_backup(seeded, str(path)).manifest
    benchmark.extra_info.update(
        {
            "profile": PROFILE,
            "bytes": manifest.size,
            "rows": manifest.postgres.rows(),
            "load_average_before": load_before,
            "load_average_after": _load(),
        }
    )
    print(f"\n[bench] backup: {benchmark.extra_info}")
    assert manifest.postgres.rows() >= ROWS
    assert benchmark.stats.stats.max <= BACKUP_TARGET_S


def test_restore_to_healthy(benchmark: Any, seeded: Stack, made: list[Path]) -> None:
    """`restore_backup` from a checked backup to a healthy, verified stack."""
    path, _ = take_backup(seeded)
    made.append(path)
    checked = check_backup(seeded, str(path))
    load_before = _load()
    report = benchmark.pedantic(restore_backup, args=(seeded, checked), rounds=2, iterations=1)
    benchmark.extra_info.update(
        {
            "profile": PROFILE,
            "checks": len(report.checks),
            "load_average_before": load_before,
            "load_average_after": _load(),
        }
    )
    print(f"\n[bench] restore: {benchmark.extra_info}")
    assert report.verified, [c for c in report.checks if not c.ok]
    assert benchmark.stats.stats.max <= RESTORE_TARGET_S
