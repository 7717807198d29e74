"""Starting a stack and waiting for it: compose up under a deadline, the live service view,
failing fast on an app that exited, and the timeout's error with the members' last log lines."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from ._remotefiles import provide_mounted_files
from .apps import fix_for
from .compose import finish, last_lines
from .enginehost import engine_host
from .errors import AppFailed, ComposeError, StackNotHealthy
from .health import HealthReport
from .images import ImagePlan
from .members import health_states

if TYPE_CHECKING:
    from .stack import Stack

POLL = 0.5
LOG_TAIL = 15


def compose_up(stack: Stack, deadline: float, extra_files: tuple[Path, ...] = ()) -> None:
    """`compose up --detach` for the project, the service view live until it returns."""
    compose = stack.compose(extra_files=extra_files)
    if engine_host(stack.client()).flavour == "remote":
        plan = ImagePlan.for_definition(stack.settings.compose_dir)
        copied = provide_mounted_files(stack.client(), compose, plan)
        stack.progress.message(f"copied {copied} mounted files to the engine's host")
    process = compose.popen("up", "--detach", "--remove-orphans", "--no-build")
    output = finish(
        process, deadline, lambda: timeout_error(stack), lambda: show_services(stack), POLL
    )
    if process.returncode != 0:
        raise ComposeError(
            f"starting the stack failed: {last_lines(output, 3)}",
            "see the service logs: `paws-stack logs`; docs/troubleshooting.md lists fixes",
        )


def wait_healthy(stack: Stack, deadline: float) -> HealthReport:
    """Poll health until the topology is right or the deadline passes."""
    while True:
        states = health_states(stack.client(), stack.project)
        stack.progress.services(states)
        fail_fast_on_apps(stack, states)
        report = stack.health()
        if report.healthy:
            return report
        if time.monotonic() > deadline:
            raise timeout_error(stack, report)
        time.sleep(POLL)


def fail_fast_on_apps(stack: Stack, states: dict[str, str]) -> None:
    """An app that exited will not become healthy: say so now, with its last log lines."""
    names = stack.apps.names if stack.apps else ()
    dead = sorted(s for s in names if states.get(s) in ("exited", "dead"))
    if not dead:
        return
    logs = stack.compose().run("logs", "--no-color", f"--tail={LOG_TAIL}", *dead, check=False)
    raise AppFailed(
        f"{', '.join(dead)} could not start (container exited); the infrastructure is up"
        f"\n--- last log lines ---\n{logs.strip()}",
        fix_for(logs)
        or f"fix the cause shown above (docs/troubleshooting.md#apps), then `paws-stack up`;"
        f" `paws-stack logs {dead[0]}` shows everything",
        {s: "exited" for s in dead},
    )


def show_services(stack: Stack) -> None:
    """The progress view's service states, read from the engine now."""
    stack.progress.services(health_states(stack.client(), stack.project))


def timeout_error(stack: Stack, report: HealthReport | None = None) -> StackNotHealthy:
    """What is not healthy yet, and the last log lines of exactly those services."""
    states = health_states(stack.client(), stack.project)
    bad = {s: state for s, state in states.items() if state not in ("healthy",)}
    if report:
        bad.update({c.name: c.detail or "unhealthy" for c in report.components if not c.healthy})
    logs = (
        stack.compose().run("logs", "--no-color", f"--tail={LOG_TAIL}", *sorted(bad), check=False)
        if bad
        else ""
    )
    problems = "; ".join(report.problems) if report else ""
    return StackNotHealthy(
        f"the stack is not healthy in time; not healthy: "
        f"{', '.join(f'{s} ({why})' for s, why in sorted(bad.items())) or problems}"
        f"\n--- last log lines ---\n{logs.strip()}",
        "see docs/troubleshooting.md; raise PAWS_WAIT_TIMEOUT on a slow machine",
        bad,
    )
