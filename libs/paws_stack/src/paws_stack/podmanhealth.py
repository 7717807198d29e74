"""Healthchecks for Podman without systemd: a small process that runs them on schedule.

Podman runs a container's healthcheck from a systemd timer; without systemd (containers, CI
runners, WSL without systemd) no check ever runs, every container stays `starting`, and
compose's `depends_on: condition: service_healthy` waits forever. paws then starts this pump
beside the API service: it asks the service to run each running container's healthcheck at
the container's own interval (libpod's `/containers/{id}/healthcheck`), and ends when the
service goes away. One pump serves one service; a lock file next to the socket keeps it one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import httpx

from . import podman
from .engine import EngineInfo
from .install import systemd_booted

LIBPOD = "http://podman/v4.0.0/libpod"
TICK_S = 0.5
WORKERS = 8  # checks run concurrently: one slow check must not delay the others' schedule
LOG_FILE = "paws-podman-health.log"
PUMP_COMMAND = "import sys; from paws_stack.podmanhealth import main; sys.exit(main())"


class Schedule:
    """When each container's next check is due, from the intervals its healthcheck sets."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}

    def due(self, intervals: dict[str, float], now: float) -> list[str]:
        """The containers whose check is due now; forgets the ones no longer running."""
        for gone in self._next.keys() - intervals.keys():
            del self._next[gone]
        ready = [cid for cid in intervals if self._next.get(cid, 0.0) <= now]
        for cid in ready:
            self._next[cid] = now + intervals[cid]
        return ready


def healthcheck_interval(inspected: dict[str, Any]) -> float | None:
    """The interval in seconds of a container's healthcheck; None when it has none."""
    check = (inspected.get("Config") or {}).get("Healthcheck") or {}
    test = check.get("Test") or []
    if not test or test[0] == "NONE":
        return None
    return float(check.get("Interval") or 30_000_000_000) / 1e9


def lock_path(socket: Path) -> Path:
    return socket.with_name(f"{socket.name}.paws-health.lock")


@contextlib.contextmanager
def held_lock(path: Path) -> Iterator[IO[str] | None]:
    """The pump's lock if free (held while the block runs), else None."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield handle


def _running_intervals(api: httpx.Client, known: dict[str, float | None]) -> dict[str, float]:
    listed = api.get("/containers/json", params={"filters": json.dumps({"status": ["running"]})})
    listed.raise_for_status()
    intervals: dict[str, float] = {}
    for container in listed.json():
        cid = container["Id"]
        if cid not in known:
            known[cid] = healthcheck_interval(api.get(f"/containers/{cid}/json").json())
        interval = known[cid]
        if interval is not None:
            intervals[cid] = interval
    return intervals


def pump(socket: Path) -> None:
    """Run every running container's healthcheck on schedule until the service is gone."""
    transport = httpx.HTTPTransport(uds=str(socket))
    schedule, known = Schedule(), dict[str, float | None]()
    in_flight: dict[str, Future[httpx.Response]] = {}
    with (
        httpx.Client(transport=transport, base_url=LIBPOD, timeout=60.0) as api,
        ThreadPoolExecutor(WORKERS) as workers,
    ):
        while True:
            try:
                intervals = _running_intervals(api, known)
            except (httpx.TransportError, httpx.HTTPStatusError):
                return  # the service stopped: so does the reason to run
            for cid in schedule.due(intervals, time.monotonic()):
                if cid not in in_flight or in_flight[cid].done():
                    in_flight[cid] = workers.submit(api.get, f"/containers/{cid}/healthcheck")
            time.sleep(TICK_S)


def ensure_pump(url: str, log_path: Path) -> bool:
    """Start the pump for the service at `url` unless one runs; True when one was started.
    Only a local socket's service is served: a remote one has its own init system."""
    socket = podman.socket_of(url)
    if socket is None:
        return False
    with held_lock(lock_path(socket)) as free:
        if free is None:
            return False
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        subprocess.Popen(
            # -c, not -m: paws_stack imports this module, and runpy warns about running it again.
            [sys.executable, "-c", PUMP_COMMAND, str(socket)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return True


def serve(engine: EngineInfo, log_dir: Path, message: Callable[[str], None]) -> None:
    """Start the pump for a Podman engine on a host without systemd; else nothing."""
    if engine.kind != "podman" or engine.docker_host is None or systemd_booted():
        return
    log = log_dir / LOG_FILE
    if ensure_pump(engine.docker_host, log):
        message(f"started Podman's healthcheck runner, as there is no systemd (log: {log})")


def main(argv: list[str] | None = None) -> int:
    """`python -c PUMP_COMMAND <socket>`: the pump, unless another holds the lock."""
    socket = Path((argv if argv is not None else sys.argv[1:])[0])
    with held_lock(lock_path(socket)) as mine:
        if mine is None:
            return 0
        pump(socket)
    return 0
