"""Tests for backupformat: the manifest, checksum verification, version rules and listing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paws_stack.backupformat import (
    DATA_FILES,
    MANIFEST,
    Manifest,
    file_entry,
    file_problems,
    list_backups,
    new_backup_dir,
    read_manifest,
    require_intact,
    require_same_majors,
    resolve,
    version_conflicts,
)
from paws_stack.errors import BackupRefused

NOW = datetime(2026, 12, 2, 2, 15, 7, tzinfo=UTC)
ZERO = "0" * 64


def write_backup(directory: Path, **changes: object) -> Manifest:
    """A complete, consistent backup directory with small data files."""
    directory.mkdir(parents=True)
    for name in DATA_FILES:
        (directory / name).write_bytes(f"content of {name}\n".encode())
    document = {
        "format": "paws-backup",
        "format_version": 1,
        "name": directory.name,
        "created": NOW.isoformat(),
        "paws_stack": "0.2.0",
        "project": "paws",
        "profile": "lite",
        "seconds": 1.5,
        "files": {n: file_entry(directory / n).model_dump() for n in DATA_FILES},
        "postgres": {
            "method": "pg_dumpall",
            "version": "15.10",
            "databases": {"app": {"public.t": {"columns": "id", "rows": 2, "digest": ZERO}}},
        },
        "redis": {"version": "7.0.15", "keys": {"0": 3}, "digests": {"0": "abc"}},
        "etcd": {"version": "3.5.16", "keys": 9, "revision": 40, "integrity_sha256": ZERO},
        "patroni": {"version": "3.0.4", "scope": "paws", "config_sha256": ZERO},
    }
    (directory / MANIFEST).write_text(json.dumps({**document, **changes}), "utf-8")
    return Manifest.model_validate(document)  # as it was before `changes` spoilt it


class TestReadManifest:
    def test_a_complete_backup_reads_back(self, tmp_path: Path) -> None:
        """The manifest's figures come back as written."""
        written = write_backup(tmp_path / "b")
        manifest = read_manifest(tmp_path / "b")
        assert manifest == written
        assert manifest.postgres.rows() == 2
        assert manifest.versions["postgresql"] == "15.10"

    def test_a_missing_directory_is_refused(self, tmp_path: Path) -> None:
        """A name that is no backup says so and points at --list."""
        with pytest.raises(BackupRefused, match="there is no backup at") as refused:
            read_manifest(tmp_path / "nope")
        assert "backup --list" in refused.value.remediation

    def test_a_directory_without_manifest_is_foreign(self, tmp_path: Path) -> None:
        """Any other directory is not a paws backup."""
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "dump.sql").write_text("SELECT 1;", "utf-8")
        with pytest.raises(BackupRefused, match=r"is not a paws backup: it has no manifest\.json"):
            read_manifest(tmp_path / "other")

    def test_another_tools_manifest_is_foreign(self, tmp_path: Path) -> None:
        """A manifest.json of another format is refused, naming the format it found."""
        write_backup(tmp_path / "b", format="pgbackrest")
        with pytest.raises(BackupRefused, match="has format 'pgbackrest'"):
            read_manifest(tmp_path / "b")

    def test_a_newer_format_version_names_the_fix(self, tmp_path: Path) -> None:
        """A backup of a later format is refused with the way out."""
        write_backup(tmp_path / "b", format_version=2)
        with pytest.raises(BackupRefused, match="format version 2") as refused:
            read_manifest(tmp_path / "b")
        assert "paws-stack that wrote it" in refused.value.remediation

    def test_broken_json_is_malformed(self, tmp_path: Path) -> None:
        """A truncated manifest is malformed, not a traceback."""
        write_backup(tmp_path / "b")
        (tmp_path / "b" / MANIFEST).write_text('{"format": "paws-', "utf-8")
        with pytest.raises(BackupRefused, match="is malformed: not readable JSON"):
            read_manifest(tmp_path / "b")

    def test_a_missing_field_is_malformed_and_named(self, tmp_path: Path) -> None:
        """Schema errors name the field."""
        write_backup(tmp_path / "b", etcd={"version": "3.5.16"})
        with pytest.raises(BackupRefused, match=r"is malformed: etcd\.keys: Field required"):
            read_manifest(tmp_path / "b")


class TestChecksums:
    def test_an_intact_backup_has_no_problems(self, tmp_path: Path) -> None:
        """Every file matches its size and SHA-256."""
        manifest = write_backup(tmp_path / "b")
        assert file_problems(tmp_path / "b", manifest) == []
        require_intact(tmp_path / "b", manifest)

    def test_one_flipped_byte_is_corrupt(self, tmp_path: Path) -> None:
        """Same size, other content: the checksum catches it."""
        manifest = write_backup(tmp_path / "b")
        dump = tmp_path / "b" / "postgres.sql"
        data = bytearray(dump.read_bytes())
        data[0] ^= 0xFF
        dump.write_bytes(bytes(data))
        with pytest.raises(BackupRefused, match=r"is corrupt: postgres\.sql does not match"):
            require_intact(tmp_path / "b", manifest)

    def test_a_truncated_and_a_missing_file_are_both_reported(self, tmp_path: Path) -> None:
        """Each problem is one line; the error says how many more there are."""
        manifest = write_backup(tmp_path / "b")
        (tmp_path / "b" / "redis.rdb").write_bytes(b"")
        (tmp_path / "b" / "etcd.db").unlink()
        problems = file_problems(tmp_path / "b", manifest)
        assert problems == [
            "redis.rdb has 0 bytes, the manifest says 21",
            "etcd.db is missing",
        ]
        with pytest.raises(BackupRefused, match=r"\(and 1 more\)"):
            require_intact(tmp_path / "b", manifest)

    def test_a_file_the_manifest_does_not_list(self, tmp_path: Path) -> None:
        """A manifest without an entry for a data file cannot vouch for it."""
        manifest = write_backup(tmp_path / "b")
        del manifest.files["etcd.db"]
        assert file_problems(tmp_path / "b", manifest) == ["manifest.json lists no etcd.db"]


class TestVersions:
    @pytest.mark.parametrize(
        ("stack", "conflict"),
        [
            ({"postgresql": "15.14"}, None),
            ({"postgresql": "16.2"}, "postgresql"),
            ({"redis": "7.2.4"}, None),
            ({"redis": "6.2.1"}, "redis"),
            ({"etcd": "3.5.21"}, None),
            ({"etcd": "3.4.23"}, "etcd"),
            ({"patroni": "4.0.0"}, None),
        ],
    )
    def test_only_the_parts_that_matter_must_agree(
        self, stack: dict[str, str], conflict: str | None
    ) -> None:
        """Majors of PostgreSQL and Redis, etcd's major.minor; Patroni is not compared."""
        backup = {"postgresql": "15.10", "redis": "7.0.15", "etcd": "3.5.16", "patroni": "3.0.4"}
        found = version_conflicts(backup, stack)
        assert [line.split(":")[0] for line in found] == ([conflict] if conflict else [])

    def test_a_mismatch_is_refused_with_both_versions(self, tmp_path: Path) -> None:
        """The refusal names the component, both versions and a fix."""
        manifest = write_backup(tmp_path / "b")
        with pytest.raises(BackupRefused, match=r"the backup has 15\.10, the stack runs 16\.1"):
            require_same_majors(manifest, {"postgresql": "16.1"})


class TestNamesAndListing:
    def test_names_are_utc_and_unique(self, tmp_path: Path) -> None:
        """Two backups in one second get distinct names; a partial one holds its name."""
        assert new_backup_dir(tmp_path, NOW).name == "20261202T021507Z"
        (tmp_path / "20261202T021507Z").mkdir()
        assert new_backup_dir(tmp_path, NOW).name == "20261202T021507Z-2"
        (tmp_path / ".20261202T021507Z-2.partial").mkdir()
        assert new_backup_dir(tmp_path, NOW).name == "20261202T021507Z-3"

    def test_a_reference_is_a_name_or_a_path(self, tmp_path: Path) -> None:
        """A bare name is looked up under the backups root; a path is taken as it is."""
        assert resolve(tmp_path, "20261202T021507Z") == tmp_path / "20261202T021507Z"
        assert resolve(tmp_path, "/elsewhere/b") == Path("/elsewhere/b")
        assert resolve(tmp_path, "some/dir") == Path("some/dir")

    def test_listing_shows_good_and_bad_and_skips_partial(self, tmp_path: Path) -> None:
        """Oldest first; a broken one says why; a partial (hidden) one is left out."""
        write_backup(tmp_path / "20261201T000000Z")
        (tmp_path / "20261202T000000Z").mkdir()
        (tmp_path / ".20261203T000000Z.partial").mkdir()
        listed = list_backups(tmp_path)
        assert [entry.path.name for entry in listed] == ["20261201T000000Z", "20261202T000000Z"]
        assert listed[0].manifest is not None and listed[0].problem == ""
        assert listed[1].manifest is None and "no manifest.json" in listed[1].problem

    def test_no_root_lists_nothing(self, tmp_path: Path) -> None:
        """Before the first backup there is no directory, and no error."""
        assert list_backups(tmp_path / "backups") == []
