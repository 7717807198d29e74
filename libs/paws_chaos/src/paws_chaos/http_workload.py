"""The HTTP workload: threads that POST notes (and visits) through the frontend's /api and to the
backend directly, at a steady modest rate, recording every request in an HttpLedger.

Clients are closed-loop: each waits for its answer before the next request, so during an
outage each client has one request waiting (its latency is the outage as the user feels it)
instead of piling up hundreds.
"""

from __future__ import annotations

import ssl
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx

from .errors import NotSteadyState
from .http_ledger import Call, HttpCall, HttpLedger, Route
from .http_notes import note_prefix

IDEMPOTENCY_KEY = "Idempotency-Key"
PATHS: dict[Call, str] = {"notes": "/api/notes", "visits": "/api/visits"}


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:200]


def _answer(call: Call, response: httpx.Response) -> tuple[str, str]:
    """(note id, error) from one answer; a 2xx without the fields the API promises is an error."""
    if not response.is_success:
        return "", f"HTTP {response.status_code}: {response.text.strip()[:120]}"
    try:
        body: Any = response.json()
    except ValueError:
        return "", f"HTTP {response.status_code} without a JSON body"
    if call == "visits":
        ok = isinstance(body, dict) and isinstance(body.get("count"), int)
        return "", "" if ok else f"HTTP {response.status_code} without a count"
    note_id = body.get("id") if isinstance(body, dict) else None
    if response.status_code != 201 or not isinstance(note_id, str) or not note_id:
        return "", f"HTTP {response.status_code} without a created note"
    return note_id, ""


def request(client: httpx.Client, route: Route, call: Call, text: str) -> HttpCall:
    """One POST, timed; never raises for what the network or the server did."""
    key = str(uuid.uuid4()) if call == "notes" else ""
    body = {"text": text} if call == "notes" else None
    headers = {IDEMPOTENCY_KEY: key} if key else {}
    started = time.monotonic()
    try:
        response = client.post(PATHS[call], json=body, headers=headers)
    except httpx.HTTPError as failure:  # transport failures and the 40 s timeout
        ended = time.monotonic()
        return HttpCall(route, call, started, ended, None, _short(failure), key, "", text)
    ended = time.monotonic()
    note_id, error = _answer(call, response)
    return HttpCall(route, call, started, ended, response.status_code, error, key, note_id, text)


class _Client(threading.Thread):
    """One closed-loop client of one route, cycling through the scenario's calls."""

    def __init__(
        self,
        workload: HttpWorkload,
        route: Route,
        base_url: str,
        index: int,
        slot: float,
    ) -> None:
        super().__init__(name=f"paws-chaos-http-{route}-{index}", daemon=True)
        self.workload, self.route, self.base_url, self.index = workload, route, base_url, index
        self.slot = slot

    def run(self) -> None:
        w = self.workload
        prefix = f"{note_prefix(w.tag)}{self.route}-{self.index}:"
        # Clients start spread over one interval, so the rate is steady rather than bursty.
        next_at = time.monotonic() + w.interval * self.slot
        with httpx.Client(base_url=self.base_url, timeout=w.timeout, verify=w.tls) as client:
            n = 0
            while not w.stopping.wait(max(0.0, next_at - time.monotonic())):
                call = w.calls[n % len(w.calls)]
                n += 1
                w.ledger.record(request(client, self.route, call, f"{prefix}{n}"))
                # After a slow answer: carry on at the rate, do not burst to catch up.
                next_at = max(next_at + w.interval, time.monotonic())


class HttpWorkload:
    """`clients_per_route` clients on each route, `rate` requests per second in total."""

    def __init__(
        self,
        targets: dict[Route, str],
        calls: Sequence[Call],
        tag: str,
        clients_per_route: int = 2,
        rate: float = 10.0,
        timeout: float = 40.0,
    ) -> None:
        self.targets, self.calls, self.tag = dict(targets), list(calls), tag
        self.clients_per_route, self.timeout = clients_per_route, timeout
        self.interval = clients_per_route * len(targets) / rate
        self.ledger = HttpLedger()
        self.stopping = threading.Event()
        # One TLS context for all clients: building one per client (httpx's default) loads the
        # CA bundle each time, which on a loaded 2-core machine delays the first request by
        # seconds. The apps are plain http on loopback; https targets would still be verified.
        self.tls = ssl.create_default_context()
        places = [(route, index) for route in self.targets for index in range(clients_per_route)]
        self._clients = [
            _Client(self, route, self.targets[route], index, slot / len(places))
            for slot, (route, index) in enumerate(places)
        ]

    def start(self) -> None:
        for client in self._clients:
            client.start()

    def stop(self) -> None:
        """Stop sending; a request in flight is waited for (up to its timeout)."""
        self.stopping.set()
        for client in self._clients:
            client.join(timeout=self.timeout + 5)

    def ready(self) -> bool:
        """Every route has answered every kind of call successfully at least once."""
        done = {(c.route, c.call) for c in self.ledger.calls if c.ok}
        return all((r, call) in done for r in self.targets for call in self.calls)

    def warm_up(self, deadline: float) -> None:
        """Wait until `ready`, or refuse the experiment naming the route and its last error."""
        while not self.ready():
            if time.monotonic() > deadline:
                last = self.ledger.errors()[-1:]
                why = f"{last[0].route}: {last[0].error}" if last else "no answer yet"
                raise NotSteadyState(
                    f"steady-state check failed: the HTTP workload got no successful answer "
                    f"from every route ({', '.join(self.targets)}): {why}",
                    "check `paws-stack health` and `paws-stack logs backend frontend`, or run "
                    "with --no-http to leave the applications out",
                    [why],
                )
            time.sleep(0.1)
