"""Release differences and redaction: neither may show up as configuration drift."""

from __future__ import annotations

from pathlib import Path

from helpers import snapshot

from paws_parity import build_report, diff, read_snapshot
from paws_parity.collect.redact import REDACTED, is_secret_key
from paws_parity.model import Setting
from paws_parity.versions import version_change

NEW_IN_15_20 = Setting(value="off", vartype="bool", context="user", source="default")


def _pg(name: str, version: str, **settings: Setting) -> object:
    base = {"work_mem": Setting(value="4096", unit="kB", vartype="integer", source="default")}
    return snapshot(
        name, versions={"postgresql": version}, settings={"postgresql": {**base, **settings}}
    )


class TestReleaseOnlySettings:
    def test_default_of_a_newer_release_is_a_note_not_a_finding(self) -> None:
        """A setting 15.20 adds, at its default, against a 15 series target is not scored."""
        local = _pg("local", "15.20", composite_type_mismatch=NEW_IN_15_20)
        report = build_report(local, _pg("staging", "15"))  # type: ignore[arg-type]
        assert report.findings == []
        assert any(
            "composite_type_mismatch only in local (PostgreSQL 15.20)" in n for n in report.notes
        )

    def test_older_local_release_is_a_note_too(self) -> None:
        """The target's newer-release default, missing from an older local server, is no drift."""
        report = build_report(_pg("local", "15.18"), _pg("staging", "15.20", composite_type_mismatch=NEW_IN_15_20))  # type: ignore[arg-type]  # fmt: skip
        assert [f.key for f in report.findings] == ["version"]
        assert report.findings[0].severity.value == "info"  # 15.18 -> 15.20 is a patch release

    def test_same_release_still_reports_a_one_sided_key(self) -> None:
        """With identical releases a one-sided setting cannot come from the release: reported."""
        local = _pg("local", "15.20", composite_type_mismatch=NEW_IN_15_20)
        found = diff(local, _pg("staging", "15.20"))  # type: ignore[arg-type]
        assert [(d.key, d.release_only) for d in found] == [("composite_type_mismatch", False)]

    def test_configured_value_is_reported(self) -> None:
        """A one-sided setting somebody configured (source is not default) is drift."""
        configured = NEW_IN_15_20.model_copy(update={"source": "configuration file"})
        found = diff(_pg("local", "15.20", composite_type_mismatch=configured), _pg("staging", "15"))  # type: ignore[arg-type]  # fmt: skip
        assert [(d.key, d.release_only) for d in found] == [("composite_type_mismatch", False)]

    def test_extension_settings_are_never_release_only(self) -> None:
        """`prefix.name` settings come from a loaded library, a configuration choice."""
        local = _pg("local", "15.20", **{"pg_stat_statements.max": NEW_IN_15_20})
        found = diff(local, _pg("staging", "15"))  # type: ignore[arg-type]
        assert [d.release_only for d in found] == [False]


class TestPostgresVersions:
    def test_second_number_is_the_patch_level(self) -> None:
        """PostgreSQL 15.18 -> 15.20 is a bug-fix release: patch, so Info by default."""
        assert version_change("15.20", "15.18", "postgresql") == "patch"
        assert version_change("15.20", "15", "postgresql") == ""
        assert version_change("14.10", "15.5", "postgresql") == "major"


class TestConsistentRedaction:
    def test_cluster_token_is_not_a_secret(self) -> None:
        """etcd's initial-cluster-token is compared in clear; passwords are not."""
        assert not is_secret_key("initial-cluster-token")
        assert is_secret_key("api_token")

    def test_redacted_side_compares_set_or_unset(self) -> None:
        """An old snapshot with `<redacted>` matches any set value, and never shows it."""
        local = snapshot("local", settings={"etcd": {"initial-cluster-token": "paws-etcd"}})
        target = snapshot("staging", settings={"etcd": {"initial-cluster-token": REDACTED}})
        assert diff(local, target) == []
        unset = snapshot("local", settings={"etcd": {"initial-cluster-token": ""}})
        assert [(d.local, d.target) for d in diff(unset, target)] == [("", REDACTED)]

    def test_snapshot_file_is_redacted_on_read(self, tmp_path: Path) -> None:
        """A hand-written snapshot's clear password is redacted like a live collection."""
        path = tmp_path / "hand.yaml"
        path.write_text(
            "schema: 1\nname: hand\nsettings:\n  redis: {requirepass: hunter2, maxmemory: '0'}\n"
        )
        redis = read_snapshot(path).settings["redis"]
        assert (redis["requirepass"].value, redis["maxmemory"].value) == (REDACTED, "0")
