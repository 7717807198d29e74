"""Old names of values and keys are the same setting on both sides, and fixes use the new name."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import pg_setting, plant, snapshot

from paws_parity import Snapshot, build_report, bundled_snapshot
from paws_parity.model import Setting
from paws_parity.normalise import canonical, display, pg_enum, redis_value

# (parameter, the value the server reports, an older or alternative name the server accepts)
PG_ALIASES = [
    ("wal_level", "replica", "archive"),
    ("wal_level", "replica", "hot_standby"),
    ("wal_level", "replica", "Hot_Standby"),
    ("client_min_messages", "debug2", "debug"),
    ("log_min_messages", "debug2", "DEBUG"),
    ("wal_compression", "pglz", "on"),
    ("wal_compression", "pglz", "true"),
    ("wal_compression", "off", "false"),
    ("synchronous_commit", "on", "yes"),
    ("synchronous_commit", "off", "0"),
    ("huge_pages", "on", "true"),
    ("constraint_exclusion", "off", "no"),
    ("password_encryption", "md5", "on"),
]

# Values that look alike but are different settings.
PG_NOT_ALIASES = [
    ("wal_level", "replica", "logical"),
    ("wal_level", "replica", "minimal"),
    ("wal_compression", "pglz", "lz4"),
    ("synchronous_commit", "on", "remote_apply"),
    ("huge_pages", "on", "try"),
    ("password_encryption", "scram-sha-256", "on"),
]


class TestPostgresEnumAliases:
    @pytest.mark.parametrize(("name", "current", "old"), PG_ALIASES)
    def test_old_name_equals_current(self, pg_rows: dict[str, Any], name: str, current: str,
                                     old: str) -> None:  # fmt: skip
        """An alias on one side and the current name on the other compare equal."""
        real = pg_setting(pg_rows, name, current)
        written = Setting(value=old)
        assert canonical("postgresql", name, real) == canonical("postgresql", name, written, real)

    @pytest.mark.parametrize(("name", "current", "other"), PG_NOT_ALIASES)
    def test_other_value_stays_different(self, pg_rows: dict[str, Any], name: str, current: str,
                                         other: str) -> None:  # fmt: skip
        """A value that is not an alias of the current one is still a difference."""
        real = pg_setting(pg_rows, name, current)
        written = Setting(value=other)
        assert canonical("postgresql", name, real) != canonical("postgresql", name, written, real)

    def test_display_shows_the_current_name(self) -> None:
        """The value shown (and written by a fix) is never the old name."""
        assert display("postgresql", "wal_level", Setting(value="hot_standby"), None) == "replica"
        assert pg_enum("wal_compression", True) == "pglz"

    def test_json_boolean_for_a_boolean_enum(self, pg_rows: dict[str, Any]) -> None:
        """`wal_compression: true` from a PostgreSQL 14 JSON export equals 15's pglz."""
        real = pg_setting(pg_rows, "wal_compression", "pglz")
        old = Setting(value=True, vartype="bool")
        assert canonical("postgresql", "wal_compression", real) == canonical(
            "postgresql", "wal_compression", old, real
        )


class TestRedisAliases:
    def test_old_value_name(self) -> None:
        """Redis 6.2 renamed `oom-score-adj yes` to `relative`: the same setting."""
        assert canonical("redis", "oom-score-adj", Setting(value="yes")) == canonical(
            "redis", "oom-score-adj", Setting(value="relative")
        )
        assert canonical("redis", "oom-score-adj", Setting(value="yes")) != canonical(
            "redis", "oom-score-adj", Setting(value="absolute")
        )
        assert redis_value("oom-score-adj", "YES") == "relative"
        assert redis_value("maxmemory", "yes") == "yes"


@pytest.fixture(scope="module")
def staging() -> Snapshot:
    return bundled_snapshot()


def _findings(local: Snapshot, target: Snapshot, component: str) -> dict[str, Any]:
    report = build_report(local, target)
    return {f.key: f for f in report.findings if f.component == component}


class TestReports:
    def test_alias_in_target_is_no_finding(self, staging: Snapshot) -> None:
        """A target written with old names finds nothing where the values mean the same."""
        target = plant(staging, "postgresql", "wal_level", "hot_standby")
        target = plant(target, "patroni", "postgresql.parameters.wal_level", "archive")
        target = plant(target, "redis", "slave-read-only", "yes")
        target = plant(target, "redis", "cluster-slave-validity-factor", "10")
        assert build_report(staging, target).findings == []

    def test_alias_in_local_is_no_finding(self, staging: Snapshot) -> None:
        """Aliases are normalised on the local side too."""
        local = plant(staging, "postgresql", "synchronous_commit", "true")
        local = plant(local, "redis", "oom-score-adj", "no")
        assert build_report(local, staging).findings == []

    def test_pg_fix_writes_the_current_name(self, staging: Snapshot) -> None:
        """A real difference against an old name is fixed with the current name."""
        local = plant(staging, "postgresql", "wal_level", "logical")
        local = plant(local, "patroni", "postgresql.parameters.wal_level", "logical")
        target = plant(staging, "postgresql", "wal_level", "hot_standby")
        target = plant(target, "patroni", "postgresql.parameters.wal_level", "hot_standby")
        found = _findings(local, target, "postgresql")["wal_level"]
        assert found.target == "replica"
        assert "wal_level='replica'" in found.remediation
        assert "hot_standby" not in found.remediation

    def test_redis_fix_writes_the_current_key(self) -> None:
        """`slave-read-only no` in a target is fixed by setting replica-read-only."""
        local = snapshot(settings={"redis": {"replica-read-only": "yes", "slave-read-only": "yes",
                                             "oom-score-adj": "no"}})  # fmt: skip
        target = snapshot("target", settings={"redis": {"slave-read-only": "no",
                                                        "oom-score-adj": "yes"}})  # fmt: skip
        found = _findings(local, target, "redis")
        assert sorted(found) == ["oom-score-adj", "replica-read-only"]
        assert "CONFIG SET replica-read-only 'no'" in found["replica-read-only"].remediation
        assert "CONFIG SET oom-score-adj 'relative'" in found["oom-score-adj"].remediation
        assert not any("slave" in f.remediation or "'yes'" in f.remediation for f in found.values())
