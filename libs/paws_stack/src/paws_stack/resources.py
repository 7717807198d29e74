"""`paws-stack top`: each container's CPU and memory against its limits (the seed's risk R2:
a stack too heavy for a laptop). One engine stats read per container, in parallel.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel

from .members import PROJECT_LABEL, SERVICE_LABEL

MIB = 1024 * 1024


class Usage(BaseModel):
    """One container's use and limits; a limit of None means none is set."""

    service: str
    container: str
    cpu_percent: float
    cpu_limit: float | None
    memory_mib: float
    memory_limit_mib: float | None

    @property
    def cpu_of_limit(self) -> float | None:
        return self.cpu_percent / self.cpu_limit if self.cpu_limit else None

    @property
    def memory_of_limit(self) -> float | None:
        return 100 * self.memory_mib / self.memory_limit_mib if self.memory_limit_mib else None


class TopReport(BaseModel):
    services: list[Usage]
    cpu_percent: float
    memory_mib: float


def cpu_percent(stats: dict[str, Any]) -> float:
    """CPU use over the engine's sampling interval, in percent of one core.

    >>> cpu_percent({"cpu_stats": {"cpu_usage": {"total_usage": 3_000_000}, "system_cpu_usage":
    ...     20_000_000, "online_cpus": 2}, "precpu_stats": {"cpu_usage": {"total_usage":
    ...     1_000_000}, "system_cpu_usage": 10_000_000}})
    40.0
    """
    now, before = stats.get("cpu_stats") or {}, stats.get("precpu_stats") or {}
    used = now.get("cpu_usage", {}).get("total_usage", 0) - before.get("cpu_usage", {}).get(
        "total_usage", 0
    )
    system = now.get("system_cpu_usage", 0) - before.get("system_cpu_usage", 0)
    cores = now.get("online_cpus") or 1
    return round(100.0 * used / system * cores, 1) if used > 0 and system > 0 else 0.0


def memory_mib(stats: dict[str, Any]) -> float:
    """Memory in use as `docker stats` shows it: usage less the reclaimable file cache.

    >>> memory_mib({"memory_stats": {"usage": 30 * MIB, "stats": {"inactive_file": 10 * MIB}}})
    20.0
    """
    memory = stats.get("memory_stats") or {}
    cache = (memory.get("stats") or {}).get("inactive_file", 0)
    return round(float(memory.get("usage", 0) - cache) / MIB, 1)


def _usage(container: Any) -> Usage:
    stats = container.stats(stream=False)
    host = container.attrs.get("HostConfig") or {}
    nano_cpus, memory = host.get("NanoCpus") or 0, host.get("Memory") or 0
    return Usage(
        service=(container.labels or {}).get(SERVICE_LABEL, container.name),
        container=container.name,
        cpu_percent=cpu_percent(stats),
        cpu_limit=nano_cpus / 1e9 if nano_cpus else None,
        memory_mib=memory_mib(stats),
        memory_limit_mib=round(memory / MIB, 1) if memory else None,
    )


def top(client: Any, project: str) -> TopReport:
    """Every running container of the project, heaviest CPU first."""
    containers = client.containers.list(filters={"label": f"{PROJECT_LABEL}={project}"})
    with ThreadPoolExecutor(max_workers=max(len(containers), 1)) as pool:
        services = sorted(pool.map(_usage, containers), key=lambda u: -u.cpu_percent)
    return TopReport(
        services=services,
        cpu_percent=round(sum(u.cpu_percent for u in services), 1),
        memory_mib=round(sum(u.memory_mib for u in services), 1),
    )
