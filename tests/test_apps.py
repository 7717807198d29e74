"""TC-001 (apps), TC-040: the reference apps run in the stack, render, and apply migrations once."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from browser import open_page
from conftest import cli, wait_for
from helpers import leader_pg, pg
from paws_stack import Stack

pytestmark = pytest.mark.stack


def _urls(stack: Stack) -> tuple[str, str]:
    endpoints = stack.endpoints()
    assert endpoints.frontend_url and endpoints.backend_url, "the apps are not enabled"
    return endpoints.frontend_url, endpoints.backend_url


def test_tc001_apps_are_healthy_components(stack: Stack) -> None:
    """`health --json` has backend and frontend as healthy `app` components, db and redis UP."""
    result = cli("health", "--json")
    assert result.returncode == 0, result.stderr
    apps = {c["name"]: c for c in json.loads(result.stdout)["components"] if c["kind"] == "app"}
    assert set(apps) == {"backend", "frontend"}
    assert all(app["healthy"] for app in apps.values()), apps
    backend = apps["backend"]["facts"]
    assert backend["status"] == "UP"
    assert backend["components"]["db"] == "UP" and backend["components"]["redis"] == "UP"


def test_tc001_endpoints_name_the_apps(stack: Stack) -> None:
    """`endpoints --json` gives the frontend and backend addresses on loopback."""
    document = json.loads(cli("endpoints", "--json", check=True).stdout)
    frontend, backend = _urls(stack)
    assert document["frontend_url"] == frontend and document["backend_url"] == backend
    assert frontend.startswith("http://127.0.0.1:") and backend.startswith("http://127.0.0.1:")


def test_tc001_page_renders_in_a_browser(stack: Stack) -> None:
    """Headless Chromium shows the title, and the counter counts clicks."""
    frontend, _ = _urls(stack)
    with open_page(frontend) as page:
        assert page.get_by_test_id("title").inner_text().strip()
        counter = page.get_by_test_id("counter")
        before = counter.inner_text()
        counter.click()
        counter.click()
        page.wait_for_function(
            "before => document.querySelector('[data-testid=counter]').innerText !== before",
            arg=before,
        )
        assert "2" in counter.inner_text()


def test_tc001_note_round_trips_through_the_frontend(stack: Stack) -> None:
    """A note POSTed to the frontend's /api is stored once, readable by id and in the list."""
    frontend, backend = _urls(stack)
    text = f"tc001 {uuid.uuid4()}"
    with httpx.Client(timeout=40) as http:
        created = http.post(f"{frontend}/api/notes", json={"text": text})
        assert created.status_code == 201, created.text
        note = created.json()
        assert set(note) >= {"id", "text", "created_at"} and note["text"] == text
        assert http.get(f"{backend}/api/notes/{note['id']}").json()["text"] == text
        assert http.get(f"{backend}/api/notes/{uuid.uuid4()}").status_code == 404
        # The list is read from a replica: synchronous replication makes it visible at once
        # on the sync standby, a moment later on the other replica.
        wait_for(
            lambda: any(
                n["id"] == note["id"]
                for n in http.get(f"{frontend}/api/notes", params={"limit": 20}).json()
            ),
            10,
            "the new note in the newest-notes list",
        )
    with leader_pg(stack) as conn:
        rows = conn.execute("SELECT count(*) FROM notes WHERE text = %s", (text,)).fetchone()
    assert rows == (1,)


def test_tc001_visits_count_in_redis(stack: Stack) -> None:
    """POST /api/visits increments a Redis counter through Sentinel's master."""
    frontend, _ = _urls(stack)
    with httpx.Client(timeout=40) as http:
        first = http.post(f"{frontend}/api/visits").json()["count"]
        second = http.post(f"{frontend}/api/visits").json()["count"]
    assert second == first + 1


def test_tc001_bad_note_is_a_clear_400(stack: Stack) -> None:
    """A blank note is refused with 400 and a problem document, not stored."""
    _, backend = _urls(stack)
    response = httpx.post(f"{backend}/api/notes", json={"text": "  "}, timeout=10)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_tc040_migrations_applied_once_on_the_leader(stack: Stack) -> None:
    """Flyway recorded each migration exactly once, successfully; replicas got it by streaming."""
    with leader_pg(stack) as conn:
        history = conn.execute(
            "SELECT version, count(*), bool_and(success) FROM flyway_schema_history "
            "WHERE version IS NOT NULL GROUP BY version ORDER BY version"
        ).fetchall()
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
    assert history, "no migration was recorded"
    assert all(count == 1 and ok for _, count, ok in history), history
    with pg(stack, stack.settings.bind_address, stack.settings.pg_ro_port) as replica:
        assert replica.execute("SELECT to_regclass('notes') IS NOT NULL").fetchone() == (True,)
    status = json.loads(cli("status", "--json", check=True).stdout)
    assert status["migrations"]["version"] == history[-1][0]
    assert status["migrations"]["applied"] == len(history)
