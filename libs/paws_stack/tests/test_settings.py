"""Tests for paws_stack.settings: defaults, PAWS_* variables, .env, and clear errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from paws_stack.errors import SettingsError
from paws_stack.settings import StackSettings, find_project_dir, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No PAWS_* or CI from the caller's environment, and no .env from the caller's cwd."""
    for name in list(os.environ):
        if name.startswith("PAWS_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


class TestDefaults:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("pg_port", 15432),
            ("pg_ro_port", 15433),
            ("redis_port", 16379),
            ("stats_port", 18404),
            ("prometheus_port", 19090),
            ("profile", "full"),
            ("bind_address", "127.0.0.1"),
            ("project_name", "paws"),
            ("image_source", "auto"),
            ("ci", False),
        ],
    )
    def test_default(self, field: str, value: object) -> None:
        """With nothing set, each setting has its documented default."""
        assert getattr(load_settings(), field) == value

    def test_published_ports_are_named_by_variable(self) -> None:
        """published_ports maps each PAWS_* port variable to its port."""
        assert load_settings().published_ports() == {
            "PAWS_PG_PORT": 15432,
            "PAWS_PG_RO_PORT": 15433,
            "PAWS_REDIS_PORT": 16379,
            "PAWS_STATS_PORT": 18404,
            "PAWS_BACKEND_PORT": 8080,
            "PAWS_FRONTEND_PORT": 3000,
        }

    def test_observability_publishes_the_exporters_and_prometheus(self) -> None:
        """--profile observability: their three ports are published (and checked) too."""
        ports = load_settings(observability=True).published_ports()
        assert {k: ports[k] for k in ports if k not in load_settings().published_ports()} == {
            "PAWS_PG_EXPORTER_PORT": 19187,
            "PAWS_REDIS_EXPORTER_PORT": 19121,
            "PAWS_PROMETHEUS_PORT": 19090,
        }

    def test_without_apps_their_ports_are_not_published(self) -> None:
        """--no-apps: the app ports are neither checked nor published."""
        assert "PAWS_BACKEND_PORT" not in load_settings(apps=False).published_ports()

    def test_paths_derive_from_project_dir(self, tmp_path: Path) -> None:
        """Secrets live in .paws/secrets and compose files in compose/ under the project."""
        settings = load_settings(project_dir=tmp_path)
        assert settings.secrets_path == tmp_path / ".paws" / "secrets"
        assert settings.state_path == tmp_path / ".paws"
        assert settings.compose_dir == tmp_path / "compose"

    def test_secrets_dir_overrides_secrets_path(self, tmp_path: Path) -> None:
        """An explicit secrets directory is used as is."""
        settings = load_settings(project_dir=tmp_path, secrets_dir=tmp_path / "elsewhere")
        assert settings.secrets_path == tmp_path / "elsewhere"


class TestEnvironment:
    @pytest.mark.parametrize(
        ("variable", "value", "field", "expected"),
        [
            ("PAWS_PG_PORT", "25432", "pg_port", 25432),
            ("PAWS_PG_RO_PORT", "25433", "pg_ro_port", 25433),
            ("PAWS_REDIS_PORT", "26379", "redis_port", 26379),
            ("PAWS_STATS_PORT", "28404", "stats_port", 28404),
            ("PAWS_PROMETHEUS_PORT", "29090", "prometheus_port", 29090),
            ("PAWS_PROFILE", "lite", "profile", "lite"),
            ("PAWS_BIND_ADDRESS", "127.0.0.2", "bind_address", "127.0.0.2"),
            ("PAWS_BIND_ADDRESS", "127.0.0.2", "bind_address", "127.0.0.2"),
            ("PAWS_PROJECT_NAME", "other", "project_name", "other"),
            ("PAWS_IMAGE_SOURCE", "debian", "image_source", "debian"),
            ("PAWS_WAIT_TIMEOUT", "60", "wait_timeout", 60.0),
            ("CI", "true", "ci", True),
        ],
    )
    def test_variable_is_read(
        self,
        monkeypatch: pytest.MonkeyPatch,
        variable: str,
        value: str,
        field: str,
        expected: object,
    ) -> None:
        """Each setting is read from its environment variable."""
        monkeypatch.setenv(variable, value)
        assert getattr(load_settings(), field) == expected

    def test_override_beats_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A keyword override (from a CLI flag) wins over the environment."""
        monkeypatch.setenv("PAWS_PROFILE", "full")
        assert load_settings(profile="lite").profile == "lite"


class TestMalformed:
    @pytest.mark.parametrize(
        ("variable", "value"),
        [
            ("PAWS_PG_PORT", "abc"),
            ("PAWS_PG_PORT", "80"),
            ("PAWS_REDIS_PORT", "70000"),
            ("PAWS_PROFILE", "huge"),
            ("PAWS_BIND_ADDRESS", "0.0.0.0"),  # noqa: S104 - the value refused
            ("PAWS_BIND_ADDRESS", "not-an-address"),
            ("PAWS_IMAGE_SOURCE", "ftp"),
            ("PAWS_PROJECT_NAME", "Bad Name"),
            ("PAWS_WAIT_TIMEOUT", "0"),
            ("CI", "maybe"),
        ],
    )
    def test_error_names_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
    ) -> None:
        """The message names the variable as the user spells it, with the bad value."""
        monkeypatch.setenv(variable, value)
        with pytest.raises(SettingsError) as caught:
            load_settings()
        assert caught.value.message.startswith(f"invalid setting {variable}={value!r}:")

    @pytest.mark.parametrize(
        ("variable", "value"),
        [("PAWS_PG_PORT", "abc"), ("PAWS_PROFILE", "huge"), ("CI", "maybe")],
    )
    def test_error_has_remediation_naming_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
    ) -> None:
        """The remediation says to fix or unset that same variable."""
        monkeypatch.setenv(variable, value)
        with pytest.raises(SettingsError) as caught:
            load_settings()
        assert caught.value.remediation == (
            f"fix or unset {variable} in your environment or .env file"
        )

    def test_non_loopback_bind_is_explained(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Binding beyond loopback is refused with the reason."""
        monkeypatch.setenv("PAWS_BIND_ADDRESS", "0.0.0.0")  # noqa: S104 - the value refused
        with pytest.raises(SettingsError, match="must be a loopback address"):
            load_settings()

    def test_error_is_not_a_pydantic_traceback(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The ValidationError is not chained: the CLI prints one message, not a cause."""
        monkeypatch.setenv("PAWS_PG_PORT", "abc")
        with pytest.raises(SettingsError) as caught:
            load_settings()
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


class TestDuplicatePorts:
    def test_duplicate_names_both_variables(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Two settings on one port: the error names both variables."""
        monkeypatch.setenv("PAWS_PG_RO_PORT", "15432")
        with pytest.raises(SettingsError) as caught:
            load_settings()
        assert "PAWS_PG_RO_PORT=15432" in caught.value.message
        assert "PAWS_PG_PORT" in caught.value.message
        assert caught.value.remediation == "give PAWS_PG_RO_PORT and PAWS_PG_PORT different ports"

    def test_duplicate_of_a_changed_port(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Moving one port onto another's moved value is caught too."""
        monkeypatch.setenv("PAWS_REDIS_PORT", "20000")
        monkeypatch.setenv("PAWS_STATS_PORT", "20000")
        with pytest.raises(SettingsError, match=r"PAWS_STATS_PORT=20000.*PAWS_REDIS_PORT"):
            load_settings()

    def test_prometheus_on_another_port_is_caught(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With the profile on, Prometheus's port is checked against the others."""
        monkeypatch.setenv("PAWS_PROMETHEUS_PORT", "15432")
        with pytest.raises(SettingsError, match=r"PAWS_PROMETHEUS_PORT=15432.*PAWS_PG_PORT"):
            load_settings(observability=True)

    def test_distinct_ports_pass(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Changed but distinct ports are accepted."""
        monkeypatch.setenv("PAWS_PG_PORT", "20001")
        monkeypatch.setenv("PAWS_PG_RO_PORT", "20002")
        assert load_settings().pg_ro_port == 20002


class TestDotEnv:
    def test_env_file_in_cwd_is_read(self, tmp_path: Path) -> None:
        """PAWS_* entries in ./.env are settings."""
        (tmp_path / ".env").write_text("PAWS_PROFILE=lite\nPAWS_PG_PORT=25432\n", "utf-8")
        settings = load_settings()
        assert (settings.profile, settings.pg_port) == ("lite", 25432)

    def test_environment_beats_env_file(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A variable in the environment wins over the same entry in .env."""
        (tmp_path / ".env").write_text("PAWS_PROFILE=lite\n", "utf-8")
        monkeypatch.setenv("PAWS_PROFILE", "full")
        assert load_settings().profile == "full"

    def test_unrelated_entries_are_ignored(self, tmp_path: Path) -> None:
        """Other tools' entries in .env do not break loading."""
        (tmp_path / ".env").write_text("DATABASE_URL=postgres://x\nPAWS_UNKNOWN=1\n", "utf-8")
        assert load_settings().profile == "full"

    def test_malformed_env_file_entry_names_the_variable(self, tmp_path: Path) -> None:
        """A bad value in .env is reported like one in the environment."""
        (tmp_path / ".env").write_text("PAWS_PG_PORT=abc\n", "utf-8")
        with pytest.raises(SettingsError, match="PAWS_PG_PORT='abc'"):
            load_settings()


class TestFindProjectDir:
    def test_walks_up_to_compose_yaml(self, tmp_path: Path) -> None:
        """From a subdirectory, the project is the nearest parent holding compose/compose.yaml."""
        (tmp_path / "compose").mkdir()
        (tmp_path / "compose" / "compose.yaml").write_text("services: {}\n", "utf-8")
        deep = tmp_path / "libs" / "a" / "b"
        deep.mkdir(parents=True)
        assert find_project_dir(deep) == tmp_path.resolve()

    def test_start_itself_may_be_the_project(self, tmp_path: Path) -> None:
        """The start directory counts when it holds compose/compose.yaml."""
        (tmp_path / "compose").mkdir()
        (tmp_path / "compose" / "compose.yaml").write_text("services: {}\n", "utf-8")
        assert find_project_dir(tmp_path) == tmp_path.resolve()

    def test_compose_dir_without_yaml_does_not_count(self, tmp_path: Path) -> None:
        """A compose/ directory lacking compose.yaml is not a project marker."""
        (tmp_path / "compose").mkdir()
        deep = tmp_path / "sub"
        deep.mkdir()
        assert find_project_dir(deep) != tmp_path.resolve()

    def test_defaults_to_cwd(self, tmp_path: Path) -> None:
        """Without a start, the search begins at the current directory."""
        (tmp_path / "compose").mkdir()
        (tmp_path / "compose" / "compose.yaml").write_text("services: {}\n", "utf-8")
        assert find_project_dir() == tmp_path.resolve()

    def test_settings_default_project_dir(self, tmp_path: Path) -> None:
        """StackSettings finds its project directory the same way."""
        (tmp_path / "compose").mkdir()
        (tmp_path / "compose" / "compose.yaml").write_text("services: {}\n", "utf-8")
        assert StackSettings().project_dir == tmp_path.resolve()


class TestRefusedValues:
    @pytest.mark.parametrize("value", ["::1", "0:0:0:0:0:0:0:1"])
    def test_ipv6_loopback_is_refused_clearly(self, value: str) -> None:
        """`::1` would pass as loopback but break compose's `addr:port:port` spec: refused,
        naming the variable and the IPv4 address to use."""
        with pytest.raises(SettingsError) as caught:
            load_settings(bind_address=value)
        assert caught.value.message.startswith(f"invalid setting PAWS_BIND_ADDRESS={value!r}")
        assert "IPv6 is not supported" in caught.value.message
        assert "127.0.0.1" in caught.value.message

    @pytest.mark.parametrize("value", ["paws-lite", "team-lite"])
    def test_lite_project_names_are_refused(self, value: str) -> None:
        """`<name>-lite` is the lite profile's project of `<name>`: refused, saying so."""
        with pytest.raises(SettingsError) as caught:
            load_settings(project_name=value)
        base = value.removesuffix("-lite")
        assert f"{value} is the lite project of {base}" in caught.value.message

    @pytest.mark.parametrize("value", ["paws", "paws-lit", "lite", "pawslite", "paws-2"])
    def test_other_names_are_fine(self, value: str) -> None:
        """Only the `-lite` suffix is reserved."""
        assert load_settings(project_name=value).project_name == value
