"""The Reach of one stack: direct on a local Linux engine, else relayed from its containers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from ._relay import EngineRelay
from .enginehost import engine_host
from .errors import ProbeError
from .members import inventory, published_targets
from .reach import DIRECT, EngineReach, Reach, ReachMode, through_engine
from .topology import Topology

T = TypeVar("T")
FRESH_FOR = 2.0  # seconds a container listing stays good: members move only on restarts
# HAProxy is on both networks and is what an application talks to: the natural vantage point.
VANTAGE_ORDER = ("haproxy", "patroni", "etcd", "redis", "sentinel", "app")


def _cached(read: Callable[[], T]) -> Callable[[], T]:
    last: list[tuple[float, T]] = []

    def fresh() -> T:
        if not last or time.monotonic() - last[0][0] > FRESH_FOR:
            last[:] = [(time.monotonic(), read())]
        return last[0][1]

    return fresh


def _vantage(client: Any, project: str, topology: Topology) -> Callable[[], str]:
    def pick() -> str:
        running = inventory(client, project, topology).running
        for kind in VANTAGE_ORDER:
            for member in running:
                if member.kind == kind:
                    return member.container
        raise ProbeError(
            f"no container of project {project} runs to relay through",
            "start the stack with `paws-stack up`",
        )

    return _cached(pick)


def stack_reach(
    mode: ReachMode, client: Any, docker_cli: str, project: str, topology: Topology
) -> Reach:
    """How this process reaches the stack `project` on the engine `client` talks to."""
    if not through_engine(mode, lambda: engine_host(client).flavour == "native"):
        return DIRECT
    relay = EngineRelay(docker_cli, _vantage(client, project, topology))
    return EngineReach(relay, _cached(lambda: published_targets(client, project)))
