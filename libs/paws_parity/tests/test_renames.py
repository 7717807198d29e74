"""Parameters an older PostgreSQL had are read as what the newer server has, never fixed by name."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import snapshot

from paws_parity import Severity, Snapshot, build_report, bundled_snapshot
from paws_parity.renames import applies, table


@pytest.fixture(scope="module")
def staging() -> Snapshot:
    return bundled_snapshot()


def _target(postgresql: dict[str, Any], version: str = "9.4", **extra: Any) -> Snapshot:
    """A hand-written partial target for an older server, PostgreSQL settings only."""
    return snapshot("old-staging", settings={"postgresql": postgresql, **extra},
                    versions={"postgresql": version}, partial=["postgresql", "patroni"])  # fmt: skip


def _by_key(local: Snapshot, target: Snapshot) -> dict[tuple[str, str], Any]:
    report = build_report(local, target)
    return {(f.component, f.key): f for f in report.findings if f.key != "version"}


class TestTable:
    def test_every_retired_name_is_gone_from_a_real_15(self, pg_rows: dict[str, Any]) -> None:
        """Each parameter the table says 15 or earlier removed is absent from 15's pg_settings."""
        gone = [name for name in table() if applies(name, "15.18")]
        assert len(gone) >= 15
        assert [name for name in gone if name in pg_rows] == []

    def test_every_successor_exists_in_a_real_15(self, pg_rows: dict[str, Any]) -> None:
        """Each successor of a parameter removed by 15 is a real 15 parameter."""
        successors = {e.successor for n, e in table().items() if applies(n, "15") and e.successor}
        assert successors and successors <= set(pg_rows)

    def test_later_removals_still_exist_in_15(self, pg_rows: dict[str, Any]) -> None:
        """What 16 and 17 removed is still a 15 parameter, so 15 is never told it is gone."""
        later = [name for name in table() if not applies(name, "15")]
        assert later and all(name in pg_rows for name in later)

    @pytest.mark.parametrize("major", ["10", "11", "12", "13", "14", "15"])
    def test_each_major_from_10_to_15_is_covered(self, major: str) -> None:
        """The table has the removals of every major release from 10 to 15."""
        assert any(entry.removed_in == major for entry in table().values())


class TestRenamed:
    def test_checkpoint_segments_becomes_max_wal_size(self, staging: Snapshot) -> None:
        """10 segments is 3 x 10 x 16MB = 480MB of max_wal_size, fixed under the new name."""
        found = _by_key(staging, _target({"checkpoint_segments": "10"}))
        assert ("postgresql", "checkpoint_segments") not in found
        wal = found["postgresql", "max_wal_size"]
        assert (wal.local, wal.target) == ("1GB", "480MB")
        assert "max_wal_size='480MB'" in wal.remediation
        assert "checkpoint_segments" not in wal.remediation
        assert "checkpoint_segments = 10" in wal.note and "9.5" in wal.note

    def test_equal_after_conversion_is_no_finding(self, staging: Snapshot) -> None:
        """wal_keep_segments 8 is exactly staging's wal_keep_size of 128MB: a note, no finding."""
        report = build_report(staging, _target({"wal_keep_segments": "8"}))
        assert [f.key for f in report.findings if f.component == "postgresql"] == ["version"]
        assert any("wal_keep_segments = 8" in note and "128MB" in note for note in report.notes)

    def test_conversion_uses_the_sides_segment_size(self, staging: Snapshot) -> None:
        """With 64MB WAL segments, 4 segments to keep are 256MB, not 64MB."""
        target = _target({"wal_keep_segments": "4", "wal_segment_size": "64MB"}, version="12")
        found = _by_key(staging, target)
        assert found["postgresql", "wal_keep_size"].target == "256MB"

    def test_renamed_keeps_its_value(self, staging: Snapshot) -> None:
        """min_parallel_relation_size (9.6) is min_parallel_table_scan_size (10) unchanged."""
        found = _by_key(staging, _target({"min_parallel_relation_size": "16MB"}, version="9.6"))
        scan = found["postgresql", "min_parallel_table_scan_size"]
        assert (scan.local, scan.target) == ("8MB", "16MB")

    def test_patroni_dcs_keys_are_renamed_too(self, staging: Snapshot) -> None:
        """`postgresql.parameters.checkpoint_segments` in a Patroni DCS is read as max_wal_size."""
        target = _target({}, patroni={"postgresql.parameters.checkpoint_segments": "32"})
        found = _by_key(staging, target)
        wal = found["patroni", "postgresql.parameters.max_wal_size"]
        assert wal.target == "1536MB"
        assert not any("checkpoint_segments" in f.remediation for f in found.values())

    def test_successor_set_too_wins(self, staging: Snapshot) -> None:
        """A target that sets both names is read by the new one; the old one is only noted."""
        report = build_report(staging, _target({"checkpoint_segments": "3", "max_wal_size": "1GB"}))
        assert [f.key for f in report.findings if f.component == "postgresql"] == ["version"]
        assert any("also sets" in note for note in report.notes)

    def test_a_value_that_cannot_be_converted_is_said(self, staging: Snapshot) -> None:
        """`checkpoint_segments = lots` is not guessed: the finding names the successor."""
        found = _by_key(staging, _target({"checkpoint_segments": "lots"}))
        old = found["postgresql", "checkpoint_segments"]
        assert "max_wal_size" in old.note and "ALTER SYSTEM" not in old.remediation

    def test_rename_then_removal_in_a_chain(self) -> None:
        """trigger_file (recovery.conf) became promote_trigger_file in 12, which 16 removed."""
        local = snapshot(
            settings={"postgresql": {"max_wal_size": "1GB"}}, versions={"postgresql": "17.2"}
        )
        found = _by_key(
            local, _target({"trigger_file": "/var/lib/postgresql/promote"}, version="11")
        )
        old = found["postgresql", "trigger_file"]
        assert "PostgreSQL 16" in old.note and "promote_trigger_file" not in old.remediation

    def test_older_local_side_is_renamed_too(self) -> None:
        """A local 16 has debug_parallel_query; a 15 target's force_parallel_mode is that."""
        local = snapshot(settings={"postgresql": {"debug_parallel_query": "off"}},
                         versions={"postgresql": "16.4"})  # fmt: skip
        found = _by_key(local, _target({"force_parallel_mode": "on"}, version="15"))
        assert found["postgresql", "debug_parallel_query"].target == "on"


class TestRemoved:
    def test_stats_temp_directory_removed_in_15(self, staging: Snapshot) -> None:
        """A 14 target's stats_temp_directory: removed in 15, info, no ALTER SYSTEM for it."""
        found = _by_key(staging, _target({"stats_temp_directory": "pg_stat_tmp"}, version="14"))
        gone = found["postgresql", "stats_temp_directory"]
        assert gone.severity is Severity.INFO
        assert "PostgreSQL 15 removed" in gone.reason
        assert "ALTER SYSTEM" not in gone.remediation and "patronictl" not in gone.remediation
        assert "delete it from the target configuration" in gone.remediation

    @pytest.mark.parametrize(("name", "release"), [("sql_inheritance", "10"),
        ("replacement_sort_tuples", "11"), ("default_with_oids", "12"), ("standby_mode", "12"),
        ("operator_precedence_warning", "14"), ("vacuum_cleanup_index_scale_factor", "14")])  # fmt: skip
    def test_each_release_is_named(self, staging: Snapshot, name: str, release: str) -> None:
        """A removed parameter's finding names the release that removed it."""
        found = _by_key(staging, _target({name: "off"}))
        assert f"PostgreSQL {release} removed" in found["postgresql", name].reason

    def test_not_removed_yet_is_compared_normally(self, staging: Snapshot) -> None:
        """force_parallel_mode still exists in 15: compared as a setting, not as a rename."""
        found = _by_key(staging, _target({"force_parallel_mode": "on"}, version="15"))
        mode = found["postgresql", "force_parallel_mode"]
        assert "force_parallel_mode='on'" in mode.remediation and mode.note == ""
