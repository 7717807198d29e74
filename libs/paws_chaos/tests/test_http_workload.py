"""The HTTP clients against a real loopback server that speaks the apps' API: the rate, the
Idempotency-Key and text on every note, outcomes recorded, warm-up refusing a broken app."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from paws_chaos import NotSteadyState
from paws_chaos.http_workload import HttpWorkload, request


class FakeApp(ThreadingHTTPServer):
    """POST /api/notes -> 201 with the key as id; POST /api/visits -> a count. `status` and
    `delay` make it fail or stall, as a backend without a leader would."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.status, self.delay, self.visits = 201, 0.0, 0
        self.received = threading.Event()
        self.notes: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FakeApp

    def log_message(self, *args: Any) -> None:
        """Quiet: the test output is the assertions."""

    def do_POST(self) -> None:
        app = self.server
        app.received.set()
        time.sleep(app.delay)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        if app.status >= 300:
            self._answer(app.status, {"error": "no leader"})
        elif self.path == "/api/visits":
            with app.lock:
                app.visits += 1
                self._answer(200, {"count": app.visits})
        else:
            note = {"id": self.headers["Idempotency-Key"], "text": body["text"], "created_at": "x"}
            with app.lock:
                app.notes.append(note)
            self._answer(app.status, note)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def app() -> Iterator[FakeApp]:
    server = FakeApp()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def workload(app: FakeApp, **overrides: Any) -> HttpWorkload:
    values: dict[str, Any] = {
        "targets": {"frontend": app.url, "backend": app.url},
        "calls": ["notes"],
        "tag": "t1",
        "clients_per_route": 2,
        "rate": 40.0,
        "timeout": 5.0,
    }
    return HttpWorkload(**{**values, **overrides})


class TestClients:
    """What the clients send and how fast."""

    def test_notes_are_sent_at_the_rate_with_a_key_and_a_unique_text(self, app: FakeApp) -> None:
        """40 req/s in total over 1 s on 2 routes: never more than the rate (one per client of
        slack), each note with its own key and tagged text."""
        clients = workload(app)
        clients.start()
        clients.warm_up(time.monotonic() + 20)
        begin = time.monotonic()
        time.sleep(1.0)
        clients.stop()
        calls = clients.ledger.calls
        window = clients.ledger.overlapping(begin, begin + 1.0)
        # The upper bound is the point (a modest, steady load); the lower one is loose because
        # a loaded CI machine may schedule the client threads late.
        assert len(window) <= 40 + 4, len(window)
        assert len(window) >= 8, len(window)
        assert {c.route for c in calls} == {"frontend", "backend"}
        assert all(c.acked for c in calls)
        assert len({c.key for c in calls}) == len({c.text for c in calls}) == len(calls)
        assert all(c.text.startswith("paws-chaos:t1:") for c in calls)
        assert {n["id"] for n in app.notes} == {c.note_id for c in calls}

    def test_calls_alternate_when_visits_are_asked_for(self, app: FakeApp) -> None:
        """Redis scenarios: notes and visits in turn, visits counted but not acked."""
        clients = workload(app, calls=["notes", "visits"])
        clients.start()
        clients.warm_up(time.monotonic() + 20)
        clients.stop()
        kinds = [c.call for c in clients.ledger.calls]
        assert "visits" in kinds and "notes" in kinds
        assert app.visits == kinds.count("visits")
        assert clients.ledger.tally().acked == kinds.count("notes")

    def test_stop_waits_for_a_request_in_flight(self, app: FakeApp) -> None:
        """A slow answer after stop() is still recorded, not dropped."""
        app.delay = 0.5
        clients = workload(app, clients_per_route=1, targets={"backend": app.url})
        clients.start()
        assert app.received.wait(20)
        clients.stop()
        assert len(clients.ledger.calls) == 1 and clients.ledger.calls[0].seconds >= 0.5


class TestOutcomes:
    """One request, each way it can end."""

    def test_a_503_is_recorded_with_its_answer(self, app: FakeApp) -> None:
        """The status and the body's start are kept for the report."""
        app.status = 503
        with httpx.Client(base_url=app.url, timeout=5) as client:
            call = request(client, "backend", "notes", "x")
        assert (call.status, call.ok, call.acked) == (503, False, False)
        assert "503" in call.error and "no leader" in call.error

    def test_no_answer_within_the_timeout_is_a_transport_error(self, app: FakeApp) -> None:
        """The client's timeout ends the request: status None, the error named."""
        app.delay = 1.0
        with httpx.Client(base_url=app.url, timeout=0.2) as client:
            call = request(client, "frontend", "notes", "x")
        assert call.status is None and "Timeout" in call.error

    def test_nobody_listening_is_a_transport_error(self) -> None:
        """A closed port: no answer, recorded, nothing raised."""
        with httpx.Client(base_url="http://127.0.0.1:9", timeout=1) as client:
            call = request(client, "backend", "visits", "")
        assert call.status is None and call.error.startswith("ConnectError")


class TestWarmUp:
    """The app must answer before anything is injected."""

    def test_a_working_app_is_ready(self, app: FakeApp) -> None:
        """Both routes answered: warm-up returns."""
        clients = workload(app)
        clients.start()
        try:
            clients.warm_up(time.monotonic() + 5)
        finally:
            clients.stop()
        assert clients.ready()

    def test_a_failing_app_refuses_the_experiment(self, app: FakeApp) -> None:
        """Only 503s: NotSteadyState naming the route, the answer and the way out."""
        app.status = 503
        clients = workload(app, targets={"backend": app.url})
        clients.start()
        try:
            assert app.received.wait(20)
            with pytest.raises(NotSteadyState) as refused:
                clients.warm_up(time.monotonic() + 2.0)
        finally:
            clients.stop()
        assert "backend: HTTP 503" in refused.value.message
        assert "--no-http" in refused.value.remediation
