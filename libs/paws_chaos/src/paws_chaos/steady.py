"""The steady state an experiment starts from: a healthy stack, who leads, Patroni's timing."""

from __future__ import annotations

from typing import Any

import httpx

from paws_stack import ClientTls, HealthReport, PawsStackError, ProbeError, Stack

from .errors import NotSteadyState, StackUnavailable


def steady_state(stack: Stack) -> HealthReport:
    """The stack's health, or a refusal naming what is wrong."""
    try:
        report = stack.health()
    except ProbeError as error:
        raise StackUnavailable(error.message, error.remediation) from None
    except PawsStackError as error:
        raise StackUnavailable(str(error), "see `paws-stack health`") from None
    if not report.healthy:
        raise NotSteadyState(
            "steady-state check failed: the stack is not healthy, nothing was injected: "
            + "; ".join(report.problems),
            "repair it first (`paws-stack health` names each problem; `paws-stack restart <svc>`)",
            report.problems,
        )
    return report


def named(report: HealthReport, kind: str, role: str) -> str:
    """The member of `kind` holding `role` (the Patroni leader, the Redis master)."""
    return next(c.name for c in report.components if c.kind == kind and c.role == role)


def patroni_config(rest: tuple[str, int], tls: ClientTls | None = None) -> dict[str, Any]:
    """The cluster's dynamic configuration (ttl, loop_wait, ...) from the Patroni REST API
    at `rest` (host, port)."""
    tls = tls or ClientTls()
    # A member on its container address: in TLS mode its chain is verified, not its name.
    url = f"{tls.scheme}://{rest[0]}:{rest[1]}/config"
    config: dict[str, Any] = httpx.get(url, timeout=3, verify=tls.http_verify(False)).json()
    return config
