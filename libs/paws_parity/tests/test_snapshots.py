"""Snapshots round-trip through YAML 1.2 and JSON; malformed files name the line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import snapshot

from paws_parity import SnapshotError, bundled_snapshot, read_snapshot, write_snapshot
from paws_parity.model import Setting, Topology


class TestRoundTrip:
    @pytest.mark.parametrize("suffix", [".yaml", ".json"])
    def test_write_then_read(self, tmp_path: Path, suffix: str) -> None:
        """What is written reads back equal, in either format."""
        original = snapshot(
            settings={"postgresql": {"shared_buffers": Setting(value="16384", unit="8kB",
                                                                vartype="integer", context="postmaster")},
                      "patroni": {"postgresql.pg_hba": ["local all all peer"]}},
            topology=Topology(members={"patroni": 3}, synchronous_mode=True),
            versions={"postgresql": "15.18"},
        )  # fmt: skip
        path = write_snapshot(original, tmp_path / f"snap{suffix}")
        assert read_snapshot(path) == original

    def test_yaml_is_1_2_so_off_stays_a_string(self, tmp_path: Path) -> None:
        """YAML 1.2: `off` and `yes` are strings, not booleans."""
        path = tmp_path / "s.yaml"
        path.write_text(
            "schema: 1\nname: x\nsettings:\n  postgresql:\n    fsync: off\n  redis:\n    appendonly: yes\n"
        )
        loaded = read_snapshot(path)
        assert loaded.settings["postgresql"]["fsync"].value == "off"
        assert loaded.settings["redis"]["appendonly"].value == "yes"

    def test_written_yaml_declares_1_2(self, tmp_path: Path) -> None:
        """The file says which YAML it is."""
        path = write_snapshot(snapshot(), tmp_path / "s.yaml")
        assert path.read_text().startswith("%YAML 1.2\n---\n")

    def test_bundled_staging_is_the_modelled_topology(self) -> None:
        """The bundled staging has 3 etcd, 3 Patroni with sync mode, 3 Redis, 3 Sentinels, quorum 2."""
        staging = bundled_snapshot()
        assert staging.topology.members == {
            "etcd": 3,
            "patroni": 3,
            "redis": 3,
            "sentinel": 3,
            "haproxy": 1,
        }
        assert staging.topology.synchronous_mode and staging.topology.sentinel_quorum == 2
        assert staging.settings["postgresql"]["password_encryption"].value == "scram-sha-256"
        assert staging.settings["redis"]["appendonly"].value == "yes"
        assert staging.settings["redis"]["requirepass"].value == "<redacted>"


class TestBadInput:
    def test_wrong_type_names_line_and_field(self, tmp_path: Path) -> None:
        """A member count that is not a number names its line and dotted field."""
        path = tmp_path / "s.yaml"
        path.write_text("schema: 1\nname: x\ntopology:\n  members:\n    redis: three\n")
        with pytest.raises(SnapshotError) as caught:
            read_snapshot(path)
        assert (caught.value.line, caught.value.field) == (5, "topology.members.redis")
        assert f"{path}:5" in str(caught.value)

    def test_unknown_field_is_refused(self, tmp_path: Path) -> None:
        """A misspelt top-level field is refused, naming it."""
        path = tmp_path / "s.yaml"
        path.write_text("schema: 1\nname: x\nversion: {}\n")
        with pytest.raises(SnapshotError) as caught:
            read_snapshot(path)
        assert (caught.value.line, caught.value.field) == (3, "version")

    def test_newer_schema_is_refused(self, tmp_path: Path) -> None:
        """A snapshot of a schema we do not know is refused."""
        path = tmp_path / "s.json"
        path.write_text('{\n  "schema": 2,\n  "name": "x"\n}\n')
        with pytest.raises(SnapshotError) as caught:
            read_snapshot(path)
        assert (caught.value.line, caught.value.field) == (2, "schema")

    def test_yaml_syntax_error_names_line(self, tmp_path: Path) -> None:
        """Broken YAML names the line it broke on."""
        path = tmp_path / "s.yaml"
        path.write_text("schema: 1\nname: [x\nsettings: {}\n")
        with pytest.raises(SnapshotError) as caught:
            read_snapshot(path)
        assert caught.value.line is not None and "not valid YAML" in str(caught.value)

    def test_json_syntax_error_names_line(self, tmp_path: Path) -> None:
        """Broken JSON names the line it broke on."""
        path = tmp_path / "s.json"
        path.write_text('{\n  "schema": 1,\n  "name": \n}\n')
        with pytest.raises(SnapshotError) as caught:
            read_snapshot(path)
        assert caught.value.line == 4

    def test_app_env_values_are_refused(self, tmp_path: Path) -> None:
        """Application environment holds names only: a NAME=value entry is refused."""
        path = tmp_path / "s.yaml"
        path.write_text("schema: 1\nname: x\napp_env:\n  web: [DATABASE_URL=postgres://u:p@h/db]\n")
        with pytest.raises(SnapshotError, match="names only"):
            read_snapshot(path)
