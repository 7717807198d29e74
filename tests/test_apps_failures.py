"""TC-006 (apps), TC-008 (apps), TC-041: app data survives restarts, app failures are named,
and a team's own apps file joins the stack the same way as the reference apps.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import StartedStack, cli
from helpers import leader_pg
from paws_stack import Stack

pytestmark = pytest.mark.exclusive

# A service of a team's own: paws' app base image, serving a directory on port 8000.
EXTRA_APPS_FILE = """
services:
  extra:
    image: ${PAWS_IMAGE_APP}
    command: ["python3", "-m", "http.server", "8000", "--directory", "/srv/app"]
    x-paws:
      data: true
      health: {port: 8000, path: /}
    healthcheck:
      test: ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8000/"]
      interval: 2s
      retries: 3
      start_period: 30s
"""


PUBLISHED_PORTS = (
    "PAWS_PG_PORT",
    "PAWS_PG_RO_PORT",
    "PAWS_REDIS_PORT",
    "PAWS_STATS_PORT",
    "PAWS_BACKEND_PORT",
    "PAWS_FRONTEND_PORT",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _one_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return stderr


def _infra_healthy(stack: Stack) -> bool:
    report = stack.health()
    return all(c.healthy for c in report.components if c.kind != "app")


@contextmanager
def _backend_stopped(stack: Stack) -> Iterator[None]:
    """The backend stopped while the test changes its database; the test's `up` restarts it."""
    stack.compose().run("stop", "backend")
    yield


def test_tc006_note_survives_down_and_up(started: StartedStack) -> None:
    """A note written through the frontend is still served after `down` + `up`."""
    stack = started.stack
    frontend = stack.endpoints().frontend_url
    text = f"tc006 {uuid.uuid4()}"
    created = httpx.post(f"{frontend}/api/notes", json={"text": text}, timeout=40)
    assert created.status_code == 201, created.text
    assert cli("down").returncode == 0
    assert cli("up", "--yes").returncode == 0
    served = httpx.get(f"{frontend}/api/notes/{created.json()['id']}", timeout=40)
    assert served.status_code == 200 and served.json()["text"] == text


def test_tc008_failing_migration_names_the_app_and_keeps_infra(started: StartedStack) -> None:
    """A backend whose migration fails: `up` names it with its log lines; infra stays healthy."""
    stack = started.stack
    with _backend_stopped(stack):
        with leader_pg(stack) as conn:
            # Flyway finds tables but no history of its own and refuses to migrate.
            conn.execute("ALTER TABLE flyway_schema_history RENAME TO tc008_history")
        try:
            result = cli("up", "--yes", "--timeout", "180")
            assert result.returncode == 2, result.stderr
            message = _one_error(result.stderr)
            assert "backend could not start" in message
            assert "--- last log lines ---" in message and "fix:" in message
            assert "Found non-empty schema" in message
            assert _infra_healthy(stack)
        finally:
            with leader_pg(stack) as conn:
                conn.execute("ALTER TABLE tc008_history RENAME TO flyway_schema_history")
    assert cli("up", "--yes").returncode == 0


def test_tc008_changed_migration_checksum_names_the_migration(started: StartedStack) -> None:
    """An applied migration that was edited: the message names it and gives the fix."""
    stack = started.stack
    change = "UPDATE flyway_schema_history SET checksum = checksum {} 1 WHERE version = '1'"
    with _backend_stopped(stack):
        with leader_pg(stack) as conn:
            conn.execute(change.format("+"))
        try:
            result = cli("up", "--yes", "--timeout", "180")
            assert result.returncode == 2, result.stderr
            message = _one_error(result.stderr)
            assert "checksum mismatch for migration version 1" in message.lower()
            assert "new migration" in message
        finally:
            with leader_pg(stack) as conn:
                conn.execute(change.format("-"))
    assert cli("up", "--yes").returncode == 0


@pytest.mark.parametrize("setting", ["PAWS_FRONTEND_PORT", "PAWS_BACKEND_PORT"])
def test_tc008_app_port_in_use_is_named(started: StartedStack, setting: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A taken app port is named with its setting; nothing of the scratch project starts."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        # Every other port free (the shared stack holds the test ports), the app's one taken.
        env = {name: str(_free_port()) for name in PUBLISHED_PORTS}
        env |= {
            "PAWS_PROJECT_NAME": "pawsbad",
            setting: str(port),
            "PAWS_SECRETS_DIR": str(tmp_path / "secrets"),
        }
        result = cli("up", "--yes", env=env)
    assert result.returncode == 2
    message = _one_error(result.stderr)
    assert f"127.0.0.1:{port}" in message and setting in message
    assert not (tmp_path / "secrets").exists()


def test_tc008_apps_file_that_is_not_compose_names_file_and_line(
    started: StartedStack, tmp_path: Path
) -> None:
    """An apps file with broken YAML: the file and the line, exit 2, nothing changed."""
    bad = tmp_path / "apps.yaml"
    bad.write_text("services:\n  web:\n    image: x\n   ports: [1]\n")
    before = {m.container for m in started.stack.inventory().members}
    result = cli("up", "--yes", env={"PAWS_APPS_FILE": str(bad)})
    assert result.returncode == 2
    message = _one_error(result.stderr)
    assert str(bad) in message and "line 4" in message
    assert {m.container for m in started.stack.inventory().members} == before


def test_tc041_own_apps_file_joins_and_is_health_gated(
    started: StartedStack, tmp_path: Path
) -> None:
    """A team's apps file with one service: wired (networks, settings, secret files), waited
    for, and listed by `health`; the reference apps come back with the default file."""
    stack = started.stack
    own = tmp_path / "apps.yaml"
    own.write_text(EXTRA_APPS_FILE)
    env = {"PAWS_APPS_FILE": str(own)}
    try:
        result = cli("up", "--yes", env=env)
        assert result.returncode == 0, result.stderr
        # `up` returned healthy, so the new service was waited for, not just started.
        health = json.loads(cli("health", "--json", env=env).stdout)
        apps = {c["name"]: c for c in health["components"] if c["kind"] == "app"}
        assert set(apps) == {"extra"} and apps["extra"]["healthy"], apps
        container = stack.client().containers.get(apps["extra"]["container"])
        networks = set(container.attrs["NetworkSettings"]["Networks"])
        assert networks == {f"{stack.project}_app", f"{stack.project}_infra"}
        environment = dict(v.split("=", 1) for v in container.attrs["Config"]["Env"])
        assert environment["PAWS_JDBC_URL"] == "jdbc:postgresql://haproxy:5432/app"
        assert not any("password" in v.lower() for v in environment.values())
        listing = container.exec_run(["stat", "-c", "%U %a", "/run/paws/secrets/pg_app_password"])
        assert listing.output.decode().split() == ["app", "600"]
        status = json.loads(cli("status", "--json", env=env).stdout)
        assert "extra" in {m["name"] for m in status["members"]}
    finally:
        assert cli("up", "--yes").returncode == 0
    names = {m.service for m in stack.inventory().members if m.kind == "app"}
    assert names == {"backend", "frontend"}
