"""`import` reads a team's configuration files as their servers would, secrets redacted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import FIXTURES

from paws_parity import build_report, bundled_snapshot, resolve_target
from paws_parity.cli import main
from paws_parity.errors import ConfigFileError
from paws_parity.imports import import_files, kind_of
from paws_parity.imports.pg_conf import read_pg_conf
from paws_parity.imports.redis_conf import read_redis_conf, read_sentinel_conf

TEAM = FIXTURES / "team-staging"
SECRETS = ("Sup3rS3cret", "R3plS3cret", "R3disS3cret", "S3ntin3lS3cret")


class TestPostgresqlConf:
    def test_values_quotes_and_comments(self) -> None:
        """Bare and quoted values, '' inside quotes, trailing comments: as the server reads them."""
        conf = read_pg_conf(TEAM / "postgresql.conf")
        assert conf["max_connections"].value == "100"
        assert conf["log_line_prefix"].value == "%m [%p] %q%u@%d "
        assert conf["application_name"].value == "it's staging"
        assert conf["wal_level"].origin == "postgresql.conf:9"

    def test_includes_in_order_and_last_wins(self) -> None:
        """include, include_if_exists (missing: fine) and include_dir; a later line wins."""
        conf = read_pg_conf(TEAM / "postgresql.conf")
        assert conf["work_mem"].value == "32MB" and conf["work_mem"].origin == "tuning.conf:2"
        assert conf["log_min_duration_statement"].origin == "10-logging.conf:1"

    def test_missing_include_names_file_and_line(self, tmp_path: Path) -> None:
        """An `include` of a file that is not there is one clear error with the line."""
        conf = tmp_path / "postgresql.conf"
        conf.write_text("work_mem = 4MB\ninclude 'nope.conf'\n")
        with pytest.raises(ConfigFileError, match=r"postgresql.conf:2: included file .*nope.conf"):
            read_pg_conf(conf)

    def test_a_malformed_line_is_refused(self, tmp_path: Path) -> None:
        """An unterminated quote is refused with its line, as the server would refuse it."""
        conf = tmp_path / "postgresql.conf"
        conf.write_text("# ok\nwork_mem = '4MB\n")
        with pytest.raises(ConfigFileError, match=r"postgresql\.conf:2"):
            read_pg_conf(conf)


class TestRedisAndSentinel:
    def test_repeated_save_lines_add_up(self) -> None:
        """Three `save` lines are one schedule, as CONFIG GET save shows it."""
        conf = read_redis_conf(TEAM / "redis.conf")
        assert conf["save"].value == "900 1 300 10 60 10000"
        assert "rename-command" not in conf

    def test_sentinel_settings_of_the_monitored_master(self) -> None:
        """`sentinel <option> <master> <value>` lines become SENTINEL MASTER settings."""
        settings, quorum = read_sentinel_conf(TEAM / "sentinel.conf")
        assert quorum == 2
        assert settings["down-after-milliseconds"].value == "5000"
        assert settings["requirepass"].value == "<redacted>"


class TestSnapshot:
    def test_partial_for_what_the_files_cover(self) -> None:
        """The snapshot is partial for exactly the components the files describe."""
        snap = import_files([str(TEAM / "postgresql.conf"), str(TEAM / "redis.conf")])
        assert snap.partial == ["postgresql", "redis"]

    def test_patroni_yaml_dcs_and_local_parameters(self) -> None:
        """bootstrap.dcs becomes Patroni's DCS settings; postgresql.parameters PostgreSQL's."""
        snap = import_files([str(TEAM / "patroni.yml")])
        assert snap.settings["patroni"]["ttl"].value == 30
        assert snap.settings["patroni"]["postgresql.parameters.wal_level"].value == "hot_standby"
        assert "unix_socket_directories" in snap.settings["postgresql"]
        assert snap.topology.synchronous_mode is True

    def test_secrets_are_redacted_as_read(self) -> None:
        """No password from any file reaches the snapshot."""
        snap = import_files([str(p) for p in sorted(TEAM.iterdir()) if p.is_file()
                             and p.name != "tuning.conf"])  # fmt: skip
        text = json.dumps(snap.to_document())
        assert not [secret for secret in SECRETS if secret in text]
        assert snap.settings["redis"]["requirepass"].value == "<redacted>"
        conninfo = snap.settings["postgresql"]["primary_conninfo"].value
        assert conninfo == "host=pg-0 user=replicator password=<redacted>"

    def test_kind_by_name_or_prefix(self) -> None:
        """A name says the kind; `kind=path` says it for any name; anything else is refused."""
        assert kind_of("infra/redis-6379.conf")[0] == "redis"
        assert kind_of("postgresql=infra/pg/main.conf") == (
            "postgresql",
            Path("infra/pg/main.conf"),
        )
        with pytest.raises(ConfigFileError, match="KIND=PATH"):
            kind_of("infra/main.conf")


class TestCheckAgainstImported:
    def test_only_true_findings_for_the_team_files(self) -> None:
        """The older release's names are read as today's; what differs is real, fixed on the cluster."""
        target = resolve_target(str(TEAM))
        report = build_report(bundled_snapshot(), target)
        found = {(f.component, f.key): f for f in report.findings}
        assert not [k for k in found if k[1] == "*"]  # undescribed components: not compared
        assert ("postgresql", "wal_level") not in found  # hot_standby is replica
        assert ("postgresql", "synchronous_commit") not in found  # yes is on
        assert ("redis", "replica-read-only") not in found  # slave-read-only
        assert ("haproxy", "listen postgres_primary.bind") not in found  # *:5432 is :5432
        assert found["postgresql", "log_min_duration_statement"].local == "-1"  # not -1000 (us)
        wal = found["postgresql", "max_wal_size"]
        assert wal.target == "3GB" and "checkpoint_segments = 64" in wal.note
        assert wal.remediation == "patronictl edit-config paws --force --pg max_wal_size='3GB'"
        gone = found["postgresql", "stats_temp_directory"]
        assert "PostgreSQL 15 removed" in gone.reason
        assert not any(old in f.remediation for f in report.findings
                       for old in ("checkpoint_segments", "wal_keep_segments", "hot_standby",
                                   "slave-", "ALTER SYSTEM SET stats_temp"))  # fmt: skip

    def test_each_finding_names_the_file_and_line_it_came_from(self) -> None:
        """A finding from an imported file says where: set directly, renamed, removed, HAProxy."""
        report = build_report(bundled_snapshot(), resolve_target(str(TEAM)))
        origins = {(f.component, f.key): f.origin for f in report.findings}
        assert all(origins.values()), origins  # every finding here comes from a file
        assert all(":" in origin and origin.split(":")[-1].isdigit() for origin in origins.values())
        conf = read_pg_conf(TEAM / "postgresql.conf")
        assert origins["postgresql", "max_wal_size"] == conf["checkpoint_segments"].origin
        assert origins["postgresql", "stats_temp_directory"] == conf["stats_temp_directory"].origin

    def test_json_and_plain_reports_carry_the_origin(self) -> None:
        """--json has `origin`; the plain line says `from FILE:LINE`."""
        from paws_parity.formats import render_plain

        report = build_report(bundled_snapshot(), resolve_target(str(TEAM)))
        finding = next(f for f in report.findings if f.origin)
        assert finding.to_json()["origin"] == finding.origin
        assert f"from {finding.origin}" in render_plain(report)

    def test_cli_import_writes_a_snapshot(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`paws-parity import FILES --json` prints one snapshot document on stdout."""
        code = main(["import", str(TEAM / "postgresql.conf"), "--release", "postgresql=9.6",
                     "--json"])  # fmt: skip
        doc = json.loads(capsys.readouterr().out)
        assert code == 0 and doc["partial"] == ["postgresql"]
        assert doc["versions"] == {"postgresql": "9.6"}

    def test_cli_bad_file_is_exit_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A file of no known kind: one line saying what to do, exit 2."""
        assert main(["import", str(TEAM / "tuning.conf")]) == 2
        assert "KIND=PATH" in capsys.readouterr().err

    def test_a_1000_line_conf_is_read_and_checked_quickly(self, tmp_path: Path) -> None:
        """Generous bound (the 200 ms target is for the benchmark): 1,000 lines well under 2 s."""
        conf = tmp_path / "postgresql.conf"
        conf.write_text("".join(f"my_ext.setting_{i} = '{i}'  # a comment\n" for i in range(1000)))
        start = time.perf_counter()
        report = build_report(bundled_snapshot(), import_files([str(conf)]))
        assert len(report.findings) == 1000
        assert time.perf_counter() - start < 2.0


class TestTargetsThatAreFiles:
    def test_a_snapshot_without_schema_is_still_a_snapshot(self, tmp_path: Path) -> None:
        """A hand-written partial snapshot (no `schema` line) is not taken for a Patroni file."""
        path = tmp_path / "team.yaml"
        path.write_text(
            "name: team\npartial: [postgresql]\nsettings:\n  postgresql: {work_mem: 8MB}\n"
        )
        target = resolve_target(str(path))
        assert target.name == "team" and target.settings["postgresql"]["work_mem"].value == "8MB"

    def test_a_folder_ignores_yaml_that_is_not_patroni(self, tmp_path: Path) -> None:
        """A compose.yaml beside the config files is not imported as Patroni's."""
        (tmp_path / "compose.yaml").write_text("services: {}\n")
        (tmp_path / "redis.conf").write_text("maxmemory 1gb\n")
        assert resolve_target(str(tmp_path)).partial == ["redis"]

    def test_given_yaml_that_is_not_patroni_is_refused(self, tmp_path: Path) -> None:
        """`patroni=compose.yaml` says clearly that it is not a Patroni configuration."""
        path = tmp_path / "compose.yaml"
        path.write_text("services: {}\n")
        with pytest.raises(ConfigFileError, match="not a Patroni configuration"):
            import_files([f"patroni={path}"])

    def test_one_config_file_with_its_kind_as_target(self) -> None:
        """`--target postgresql=FILE` imports that one file, whatever its name."""
        target = resolve_target(f"postgresql={TEAM / 'tuning.conf'}")
        assert target.partial == ["postgresql"]
        assert target.settings["postgresql"]["work_mem"].value == "32MB"

    def test_two_files_as_target(self) -> None:
        """`--target a.conf,b.conf` imports both."""
        target = resolve_target(f"{TEAM / 'redis.conf'},{TEAM / 'sentinel.conf'}")
        assert target.partial == ["redis", "sentinel"]
