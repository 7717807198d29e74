"""Compose parsing: interpolation, merge keys, profiles, structure, env names only."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_parity.collect.compose import app_env, interpolate, load_compose, structure

COMPOSE = """
x-limits: &limits
  deploy: {resources: {limits: {cpus: "0.50", memory: 128M}}}
services:
  redis-0:
    <<: *limits
    image: ${IMAGE:-paws/redis:latest}
    networks: [infra]
    volumes: ["redis-0:/data"]
  redis-1:
    <<: *limits
    profiles: [full]
    volumes: ["redis-1:/data"]
  web:
    ports: ["${BIND:-127.0.0.1}:${PORT:-8080}:80"]
    environment: {DATABASE_URL: "postgres://u:secret@h/db", LOG_LEVEL: info}
networks: {infra: {internal: true}}
volumes: {redis-0: {}, redis-1: {}}
"""


@pytest.fixture
def compose_file(tmp_path: Path) -> Path:
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE)
    return path


class TestInterpolation:
    @pytest.mark.parametrize(("text", "env", "out"), [
        ("${A:-x}", {}, "x"), ("${A:-x}", {"A": ""}, "x"), ("${A-x}", {"A": ""}, ""),
        ("${A}", {"A": "v"}, "v"), ("$${A}", {}, "${A}"),
    ])  # fmt: skip
    def test_forms(self, text: str, env: dict[str, str], out: str) -> None:
        """The compose interpolation forms resolve as compose resolves them."""
        assert interpolate(text, env) == out


class TestStructure:
    def test_lite_profile(self, compose_file: Path) -> None:
        """Services behind a profile are absent unless the profile is active."""
        shape = structure(load_compose([compose_file]))
        assert sorted(shape.services) == ["redis-0", "web"]
        assert shape.volumes == ["redis-0"]

    def test_full_profile_and_merge_keys(self, compose_file: Path) -> None:
        """Merge keys bring in limits; ports keep only the container side."""
        shape = structure(load_compose([compose_file], {"PORT": "9000"}), ["full"])
        assert shape.services["redis-1"].limits == {"cpus": "0.50", "memory": "128M"}
        assert shape.services["redis-0"].volumes == ["/data"]
        assert shape.services["web"].ports == ["80/tcp"]
        assert shape.networks == ["infra"]

    def test_app_env_names_only(self, compose_file: Path) -> None:
        """Application environment is variable names, never values."""
        names = app_env(load_compose([compose_file]), ["web"])
        assert names == {"web": ["DATABASE_URL", "LOG_LEVEL"]}
        assert "secret" not in repr(names)
