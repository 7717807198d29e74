"""Tests for paws_stack.apps: reading an apps file, wiring it in, and knowing its failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_stack.apps import (
    APP_SECRETS,
    MAX_APPS_FILE_BYTES,
    AppBuild,
    fix_for,
    load_apps_file,
    wiring,
)
from paws_stack.errors import AppsFileError

REFERENCE = Path(__file__).resolve().parents[3] / "apps" / "compose.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "apps.yaml"
    path.write_text(text)
    return path


class TestLoading:
    def test_reference_apps_file_reads(self) -> None:
        """The shipped apps file names backend and frontend, each with health and a build."""
        apps = load_apps_file(REFERENCE)
        assert apps.names == ("backend", "frontend")
        backend, frontend = apps.apps
        assert backend.data and not frontend.data
        assert (backend.health_port, backend.health_path) == (8080, "/actuator/health")
        assert backend.build and backend.build.context == REFERENCE.parent / "backend"
        assert backend.image_variable == "PAWS_IMAGE_BACKEND"

    def test_defaults_for_a_plain_compose_service(self, tmp_path: Path) -> None:
        """A service without x-paws gets data access and no HTTP health probe."""
        apps = load_apps_file(_write(tmp_path, "services:\n  web:\n    image: nginx\n"))
        (web,) = apps.apps
        assert web.data and web.health_port is None and web.build is None

    def test_broken_yaml_names_file_and_line(self, tmp_path: Path) -> None:
        """Bad indentation: the message names the file and the line."""
        path = _write(tmp_path, "services:\n  web:\n    image: x\n   ports: [1]\n")
        with pytest.raises(AppsFileError) as caught:
            load_apps_file(path)
        assert str(path) in caught.value.message and "line 4" in caught.value.message

    @pytest.mark.parametrize("text", ["[]\n", "services: {}\n", "name: x\n"])
    def test_no_services_is_refused(self, tmp_path: Path, text: str) -> None:
        """A file that is not a compose file with services says what it lacks."""
        with pytest.raises(AppsFileError, match="no `services:`"):
            load_apps_file(_write(tmp_path, text))

    def test_missing_file_points_at_the_setting(self, tmp_path: Path) -> None:
        """A missing file names PAWS_APPS_FILE and --no-apps as the ways out."""
        with pytest.raises(AppsFileError) as caught:
            load_apps_file(tmp_path / "nope.yaml")
        assert "PAWS_APPS_FILE" in caught.value.remediation

    def test_oversized_file_is_refused_before_parsing(self, tmp_path: Path) -> None:
        """A huge file (or an alias bomb's expansion source) is not parsed at all."""
        path = _write(tmp_path, "#" * (MAX_APPS_FILE_BYTES + 1))
        with pytest.raises(AppsFileError, match="bytes"):
            load_apps_file(path)

    def test_malformed_health_block_is_named(self, tmp_path: Path) -> None:
        """A health port that is not a number is an error naming the service."""
        text = "services:\n  web:\n    x-paws: {health: {port: http}}\n"
        with pytest.raises(AppsFileError, match="web"):
            load_apps_file(_write(tmp_path, text))


class TestWiring:
    def test_data_apps_get_networks_secrets_settings_and_gate(self) -> None:
        """The backend joins infra, gets the secret files and waits for HAProxy."""
        services = wiring(load_apps_file(REFERENCE), "sentinel-0:26379")["services"]
        backend = services["backend"]
        assert backend["networks"] == ["app", "infra"]
        assert backend["secrets"] == list(APP_SECRETS)
        assert backend["environment"]["PAWS_REDIS_SENTINELS"] == "sentinel-0:26379"
        assert "depends_on" not in backend  # wait_for_data: false, it waits for its leader itself
        assert backend["labels"]["dev.paws.health.port"] == "8080"

    def test_frontend_never_reaches_infra_or_secrets(self) -> None:
        """An app without data access is on the app network only, with no secrets."""
        frontend = wiring(load_apps_file(REFERENCE), "s:1")["services"]["frontend"]
        assert frontend["networks"] == ["app"]
        assert "secrets" not in frontend and "environment" not in frontend

    def test_a_data_app_waits_for_haproxy_by_default(self, tmp_path: Path) -> None:
        """Without wait_for_data, a data app starts only once the leader address answers."""
        path = _write(tmp_path, "services:\n  api:\n    image: a\n    x-paws: {data: true}\n")
        service = wiring(load_apps_file(path), "s:1")["services"]["api"]
        assert service["depends_on"] == {"haproxy": {"condition": "service_healthy"}}

    def test_wait_for_data_must_be_a_boolean(self, tmp_path: Path) -> None:
        """A quoted 'false' is refused with the key named, not read as true."""
        text = "services:\n  api:\n    image: a\n    x-paws: {wait_for_data: 'no'}\n"
        path = _write(tmp_path, text)
        with pytest.raises(AppsFileError, match="wait_for_data must be true or false"):
            load_apps_file(path)

    def test_the_backend_names_its_tls_switch(self) -> None:
        """x-paws.tls.environment: what TLS mode adds (the reference backend's Spring profile)."""
        backend = next(a for a in load_apps_file(REFERENCE).apps if a.name == "backend")
        assert backend.tls_environment == {"SPRING_PROFILES_INCLUDE": "tls"}

    def test_a_malformed_tls_block_is_named(self, tmp_path: Path) -> None:
        """tls must hold an environment mapping; anything else is refused with the key named."""
        path = _write(tmp_path, "services:\n  api:\n    image: a\n    x-paws: {tls: yes}\n")
        with pytest.raises(AppsFileError, match="tls must be a mapping"):
            load_apps_file(path)

    def test_no_password_in_the_settings(self) -> None:
        """Connection settings name places, never a secret value."""
        environment = wiring(load_apps_file(REFERENCE), "s:1")["services"]["backend"]
        assert not any("password" in k.lower() for k in environment["environment"])


class TestFingerprint:
    def _build(self, context: Path) -> AppBuild:
        return AppBuild(context=context, inputs=("src", "pom.xml"), steps=(("mvn", "package"),))

    def test_changes_with_a_source_file(self, tmp_path: Path) -> None:
        """Editing a source changes the image tag."""
        (tmp_path / "src").mkdir()
        (tmp_path / "pom.xml").write_text("<project/>")
        source = tmp_path / "src" / "A.java"
        source.write_text("class A {}")
        before = self._build(tmp_path).fingerprint()
        source.write_text("class A { int x; }")
        assert self._build(tmp_path).fingerprint() != before

    def test_ignores_build_output(self, tmp_path: Path) -> None:
        """target/, node_modules/ and .next/ under an input do not change the tag."""
        (tmp_path / "src").mkdir()
        before = self._build(tmp_path).fingerprint()
        for junk in ("target", "node_modules", ".next"):
            (tmp_path / "src" / junk).mkdir()
            (tmp_path / "src" / junk / "out.bin").write_text("x")
        assert self._build(tmp_path).fingerprint() == before


class TestKnownFailures:
    @pytest.mark.parametrize(
        ("log", "words"),
        [
            (
                "Validate failed: Migration checksum mismatch for migration version 1",
                "new migration",
            ),
            ('Found non-empty schema(s) "public" but no schema history table', "baseline"),
            ("Migration V2__bad.sql failed", "fix the script"),
        ],
    )
    def test_a_known_cause_gets_its_fix(self, log: str, words: str) -> None:
        """Flyway's own messages map to a fix a developer can act on."""
        fix = fix_for(log)
        assert fix is not None and words in fix
