"""The project's containers, volumes and published ports, as the engine reports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .probes import Member
from .topology import Topology

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


@dataclass(frozen=True)
class Inventory:
    """What exists of one compose project right now."""

    members: list[Member]
    volumes: list[str]

    @property
    def running(self) -> list[Member]:
        return [m for m in self.members if m.state == "running"]


def _address(container: Any, network: str) -> str | None:
    networks = container.attrs.get("NetworkSettings", {}).get("Networks", {}) or {}
    return (networks.get(network) or {}).get("IPAddress") or None


def inventory(client: Any, project: str, topology: Topology) -> Inventory:
    """List the project's containers (as probe targets) and named volumes."""
    label = f"{PROJECT_LABEL}={project}"
    containers = client.containers.list(all=True, filters={"label": label})
    members = []
    for container in containers:
        service = container.labels.get(SERVICE_LABEL, "")
        try:
            kind = topology.kind_of(service)
        except StopIteration:
            continue  # not ours: e.g. a one-off container started by a user
        members.append(
            Member(
                service=service,
                kind=kind,
                container=container.name,
                address=_address(container, f"{project}_infra"),
                state=container.status,
            )
        )
    volumes = sorted(v.name for v in client.volumes.list(filters={"label": label}))
    return Inventory(sorted(members, key=lambda m: m.service), volumes)


def health_states(client: Any, project: str) -> dict[str, str]:
    """service -> 'healthy' / 'starting' / 'unhealthy' / container state, for progress."""
    states = {}
    label = f"{PROJECT_LABEL}={project}"
    for container in client.containers.list(all=True, filters={"label": label}):
        health = container.attrs.get("State", {}).get("Health", {}).get("Status")
        states[container.labels.get(SERVICE_LABEL, container.name)] = health or container.status
    return states
