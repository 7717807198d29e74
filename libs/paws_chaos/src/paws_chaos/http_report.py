"""The HTTP workload's part of the report: what the application's clients saw, as data, and its
lines in the human report. Pure data and rendering; http_verdict fills it in.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

HttpStatus = Literal["measured", "not measured", "skipped"]


class HttpResult(BaseModel):
    """What the HTTP clients saw. `status` says whether there is anything to judge:
    "not measured" (the stack runs without apps) and "skipped" (`--no-http`) carry a reason."""

    status: HttpStatus
    reason: str = ""
    calls: list[str] = Field(default_factory=list)
    requests: int = 0
    errors: int = 0
    non_2xx: int = 0
    transport_errors: int = 0
    acked: int = 0
    acked_by_route: dict[str, int] = Field(default_factory=dict)
    # None: the notes could not be checked (the reason is in verify_error).
    lost: int | None = None
    duplicates: int | None = None
    # Notes stored although their request failed: the user saw an error, the note exists.
    stored_unacked: int | None = None
    lost_ids: list[str] = Field(default_factory=list)
    verify_error: str = ""
    # Latency of the requests that overlapped the fault (injection to restore).
    latency_p50_s: float | None = None
    latency_p99_s: float | None = None
    latency_samples: int = 0
    latency_max_s: float | None = None
    first_errors: list[str] = Field(default_factory=list)
    slowest: list[str] = Field(default_factory=list)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _count(value: int | None) -> str:
    return "not checked" if value is None else str(value)


def render_http(result: HttpResult | None) -> list[str]:
    """The report's HTTP lines (none when the scenario has no HTTP workload).

    >>> render_http(HttpResult(status="skipped", reason="--no-http"))
    ['http workload       skipped: --no-http']
    """
    if result is None:
        return []
    if result.status != "measured":
        return [f"http workload       {result.status}: {result.reason}"]
    routes = ", ".join(f"{k} {v}" for k, v in sorted(result.acked_by_route.items()))
    lines = [
        f"http requests       {result.requests} ({', '.join(result.calls)})"
        f"   errors {result.errors} (non-2xx {result.non_2xx},"
        f" transport {result.transport_errors})",
        f"http acked / lost   {result.acked} / {_count(result.lost)}"
        f"   duplicates {_count(result.duplicates)}" + (f"   ({routes})" if routes else ""),
        f"http latency        p50 {_seconds(result.latency_p50_s)}"
        f"   p99 {_seconds(result.latency_p99_s)}   max {_seconds(result.latency_max_s)}"
        f"   over {result.latency_samples} request(s) during the fault",
    ]
    lines += [f"  http error: {line}" for line in result.first_errors]
    lines += [f"  http slowest: {line}" for line in result.slowest[:3]]
    return lines
