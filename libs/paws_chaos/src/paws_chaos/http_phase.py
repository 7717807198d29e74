"""The HTTP workload's place in an experiment: whether it can run, then start, warm up, stop,
check the notes and remove them. The runner calls one method per phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from paws_stack import HealthReport, Stack

from .http_ledger import Route
from .http_notes import NotesCheck, check_notes, delete_notes
from .http_report import HttpStatus
from .http_workload import HttpWorkload
from .scenarios import HttpExpect, Scenario
from .settings import ChaosSettings

NO_HTTP = "--no-http (PAWS_CHAOS_HTTP=false)"
NO_APPS = "the stack runs without apps (--no-apps / PAWS_APPS=false)"
NO_ROUTES = "the apps file has no `frontend` or `backend` service to send requests to"


def _patiently() -> Retrying:
    """A connection that times out on a loaded machine is tried again, for up to 20 s."""
    return Retrying(
        retry=retry_if_exception_type(psycopg.OperationalError),
        stop=stop_after_delay(20),
        wait=wait_fixed(1),
        reraise=True,
    )


@dataclass
class HttpPhase:
    """The HTTP workload of one run, or why there is none (`status`, `reason`)."""

    expect: HttpExpect
    status: HttpStatus
    reason: str = ""
    workload: HttpWorkload | None = None
    notes: NotesCheck | None = None
    verify_error: str = ""

    def warm_up(self, deadline: float) -> None:
        if self.workload is not None:
            self.workload.warm_up(deadline)

    def stop(self) -> None:
        if self.workload is not None:
            self.workload.stop()

    def verify(self, leader: dict[str, Any]) -> None:
        """Look every note up on the leader; a failed lookup is reported, never a pass."""
        if self.workload is None:
            return
        calls = self.workload.ledger.calls
        try:
            self.notes = _patiently()(check_notes, leader, calls)
        except psycopg.Error as error:
            self.verify_error = f"{type(error).__name__}: {str(error).strip()[:160]}"

    def cleanup(self, leader: dict[str, Any]) -> int:
        """Delete the run's notes (test data, like the workload tables); returns the rows."""
        if self.workload is None:
            return 0
        keys = self.workload.ledger.note_keys()
        return _patiently()(delete_notes, leader, self.workload.tag, keys)


def _targets(stack: Stack, report: HealthReport) -> dict[Route, str]:
    """The routes of the apps that run: the frontend's /api and the backend directly."""
    apps = {c.name for c in report.components if c.kind == "app"}
    endpoints = stack.endpoints()
    found: dict[Route, str | None] = {
        "frontend": endpoints.frontend_url if "frontend" in apps else None,
        "backend": endpoints.backend_url if "backend" in apps else None,
    }
    return {route: stack.reach.published_url(url) for route, url in found.items() if url}


def begin_http(
    stack: Stack, scenario: Scenario, settings: ChaosSettings, before: HealthReport, tag: str
) -> HttpPhase | None:
    """Start the scenario's HTTP workload, or say why it is skipped or not measured."""
    expect = scenario.http
    if expect is None:
        return None
    if not settings.http:
        return HttpPhase(expect, "skipped", NO_HTTP)
    if not stack.settings.apps or not _has_apps(before):
        return HttpPhase(expect, "not measured", NO_APPS)
    targets = _targets(stack, before)
    if not targets:
        return HttpPhase(expect, "not measured", NO_ROUTES)
    workload = HttpWorkload(
        targets,
        expect.calls,
        tag,
        settings.http_clients_per_route,
        settings.http_rate_per_s,
        settings.http_timeout_s,
    )
    workload.start()
    return HttpPhase(expect, "measured", workload=workload)


def _has_apps(report: HealthReport) -> bool:
    return any(c.kind == "app" for c in report.components)
