"""What a backup directory holds: its files, its manifest, and the checks a restore makes first.

A backup is `.paws/backups/<UTC timestamp>/` with one file per service and `manifest.json`,
which records versions, sizes, SHA-256 checksums and the row and key counts. Everything here
is pure: a restore refuses a foreign, malformed or corrupt backup, or one of other major
versions, before it touches the stack.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from .errors import BackupRefused

FORMAT = "paws-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
POSTGRES_DUMP = "postgres.sql"
REDIS_RDB = "redis.rdb"
ETCD_SNAPSHOT = "etcd.db"
PATRONI_CONFIG = "patroni-config.json"
DATA_FILES = (POSTGRES_DUMP, REDIS_RDB, ETCD_SNAPSHOT, PATRONI_CONFIG)
# How many leading parts of each version must agree between a backup and the stack: the
# PostgreSQL and Redis majors (dump and RDB formats), etcd's major.minor (snapshot and
# cluster version). Patroni is recorded only: its DCS configuration carries across majors.
MUST_MATCH = {"postgresql": 1, "redis": 1, "etcd": 2}
LIST_FIX = "`paws-stack backup --list` lists the backups; `paws-stack backup` takes a new one"


class FileEntry(BaseModel):
    """One file of the backup: its size and SHA-256."""

    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class TableStats(BaseModel):
    """One table as the dump holds it: its COPY column list, row count and row digest."""

    columns: str
    rows: int = Field(ge=0)
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")


class PostgresPart(BaseModel):
    method: Literal["pg_dumpall"]
    version: str
    # database -> table (as pg_dump names it, e.g. public.items) -> what it holds
    databases: dict[str, dict[str, TableStats]]

    def rows(self) -> int:
        return sum(t.rows for tables in self.databases.values() for t in tables.values())


class RedisPart(BaseModel):
    version: str
    keys: dict[str, int]  # database index -> keys
    # database index -> digest of its keys and values; None: written to during the backup
    digests: dict[str, str] | None


class EtcdPart(BaseModel):
    version: str
    keys: int = Field(ge=0)
    revision: int = Field(ge=0)
    integrity_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class PatroniPart(BaseModel):
    version: str
    scope: str
    config_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    """manifest.json: what the backup holds and how to check it."""

    format: Literal["paws-backup"] = "paws-backup"
    format_version: Literal[1] = 1
    name: str
    created: datetime
    paws_stack: str
    project: str
    profile: str
    seconds: float = Field(ge=0)
    files: dict[str, FileEntry]
    postgres: PostgresPart
    redis: RedisPart
    etcd: EtcdPart
    patroni: PatroniPart

    @property
    def versions(self) -> dict[str, str]:
        return {
            "postgresql": self.postgres.version,
            "redis": self.redis.version,
            "etcd": self.etcd.version,
            "patroni": self.patroni.version,
        }

    @property
    def size(self) -> int:
        return sum(f.bytes for f in self.files.values())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path) -> FileEntry:
    return FileEntry(bytes=path.stat().st_size, sha256=sha256_file(path))


def canonical_sha256(document: Any) -> str:
    """SHA-256 of a JSON document with sorted keys: equal for equal content, whatever order.

    >>> canonical_sha256({"b": 1, "a": [1, 2]}) == canonical_sha256({"a": [1, 2], "b": 1})
    True
    """
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def backup_name(now: datetime) -> str:
    """A sortable, colon-free UTC name.

    >>> backup_name(datetime(2026, 12, 2, 2, 15, 7, tzinfo=UTC))
    '20261202T021507Z'
    """
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def new_backup_dir(root: Path, now: datetime) -> Path:
    """A name not taken yet under `root` (two backups in one second get -2, -3, ...)."""
    base = backup_name(now)
    candidate, n = root / base, 1
    while candidate.exists() or (root / f".{candidate.name}.partial").exists():
        n += 1
        candidate = root / f"{base}-{n}"
    return candidate


def resolve(root: Path, reference: str) -> Path:
    """A backup given as a path, or as a name under `root`."""
    given = Path(reference)
    if given.exists() or given.is_absolute() or len(given.parts) > 1:
        return given
    return root / reference


def read_manifest(directory: Path) -> Manifest:
    """The manifest of a backup directory; BackupRefused if it is not a paws backup."""
    if not directory.exists():
        raise BackupRefused(f"there is no backup at {directory}", LIST_FIX)
    path = directory / MANIFEST
    if not directory.is_dir() or not path.is_file():
        raise BackupRefused(
            f"{directory} is not a paws backup: it has no {MANIFEST}",
            f"give a directory that `paws-stack backup` wrote; {LIST_FIX}",
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupRefused(
            f"{path} is malformed: not readable JSON ({exc})",
            f"the backup is damaged: restore another one; {LIST_FIX}",
        ) from None
    return _validated(path, document)


def _validated(path: Path, document: Any) -> Manifest:
    kind = document.get("format") if isinstance(document, dict) else None
    if kind != FORMAT:
        raise BackupRefused(
            f"{path.parent} is not a paws backup: {MANIFEST} has format {kind!r}, not {FORMAT!r}",
            f"give a directory that `paws-stack backup` wrote; {LIST_FIX}",
        )
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupRefused(
            f"{path.parent} has backup format version {version!r}; this paws-stack reads "
            f"version {FORMAT_VERSION}",
            "restore it with the paws-stack that wrote it, or take a new backup",
        )
    try:
        return Manifest.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BackupRefused(
            f"{path} is malformed: {where}: {first['msg']}",
            f"the backup is damaged: restore another one; {LIST_FIX}",
        ) from None


def file_problems(directory: Path, manifest: Manifest) -> list[str]:
    """Missing, resized or altered files, one line each; empty when every checksum matches."""
    problems = []
    for name in DATA_FILES:
        entry = manifest.files.get(name)
        path = directory / name
        if entry is None:
            problems.append(f"{MANIFEST} lists no {name}")
        elif not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != entry.bytes:
            problems.append(
                f"{name} has {path.stat().st_size} bytes, the manifest says {entry.bytes}"
            )
        elif sha256_file(path) != entry.sha256:
            problems.append(f"{name} does not match its checksum in {MANIFEST}")
    return problems


def require_intact(directory: Path, manifest: Manifest) -> None:
    problems = file_problems(directory, manifest)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BackupRefused(
            f"backup {directory.name} is corrupt: {problems[0]}{more}",
            f"restore another backup, or take a new one; {LIST_FIX}",
        )


def version_conflicts(backup: Mapping[str, str], stack: Mapping[str, str]) -> list[str]:
    """Components whose versions differ where it matters (MUST_MATCH), one line each.

    >>> version_conflicts({"postgresql": "14.9", "etcd": "3.5.1"},
    ...                   {"postgresql": "15.10", "etcd": "3.5.16"})
    ['postgresql: the backup has 14.9, the stack runs 15.10 (major 14 is not 15)']
    """
    conflicts = []
    for component, parts in MUST_MATCH.items():
        ours, theirs = backup.get(component), stack.get(component)
        if ours is None or theirs is None:
            continue
        a, b = _leading(ours, parts), _leading(theirs, parts)
        if a != b:
            conflicts.append(
                f"{component}: the backup has {ours}, the stack runs {theirs} "
                f"(major {a} is not {b})"
            )
    return conflicts


def _leading(version: str, parts: int) -> str:
    return ".".join(version.split(".")[:parts])


def require_same_majors(manifest: Manifest, stack: Mapping[str, str]) -> None:
    conflicts = version_conflicts(manifest.versions, stack)
    if conflicts:
        raise BackupRefused(
            f"backup {manifest.name} is of other major versions: {'; '.join(conflicts)}",
            "restore it into a stack of those versions (a checkout whose compose/versions.toml "
            "pins them), or take a new backup of this stack",
        )


@dataclass(frozen=True)
class Listed:
    """One entry of `backup --list`: a readable manifest, or why it is not one."""

    path: Path
    manifest: Manifest | None
    problem: str = ""


def list_backups(root: Path) -> list[Listed]:
    """Every backup directory under `root`, oldest first; unreadable ones say why."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            found.append(Listed(path, read_manifest(path)))
        except BackupRefused as refused:
            found.append(Listed(path, None, refused.message))
    return found
