"""The project's containers, volumes and published ports, as the engine reports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .apps import HEALTH_PATH_LABEL, HEALTH_PORT_LABEL
from .probes import Member
from .tls import LABEL as TLS_LABEL
from .topology import Kind, Topology

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


@dataclass(frozen=True)
class Inventory:
    """What exists of one compose project right now."""

    members: list[Member]
    volumes: list[str]
    # Whether the containers run in TLS mode (their label says so; docs/tls.md).
    tls: bool = False

    @property
    def running(self) -> list[Member]:
        return [m for m in self.members if m.state == "running"]


def _address(attrs: dict[str, Any], network: str) -> str | None:
    networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
    return (networks.get(network) or {}).get("IPAddress") or None


def _listed(client: Any, project: str) -> list[dict[str, Any]]:
    """The project's containers from one list call. Sparse on purpose: a full listing inspects
    each container afterwards and fails when one disappears meanwhile (down, Ctrl-C)."""
    label = f"{PROJECT_LABEL}={project}"
    return [
        c.attrs for c in client.containers.list(all=True, sparse=True, filters={"label": label})
    ]


def _health(status: str) -> str | None:
    """The health part of `docker ps` status text, e.g. 'Up 5 seconds (healthy)'."""
    for marker, health in (
        ("(healthy)", "healthy"),
        ("(unhealthy)", "unhealthy"),
        ("(health: starting)", "starting"),
    ):
        if marker in status:
            return health
    return None


def _health_url(kind: Kind, attrs: dict[str, Any], address: str | None) -> str | None:
    """The HTTP health address an app declared (x-paws.health), on its container address."""
    labels = attrs.get("Labels") or {}
    if kind != "app" or not address or HEALTH_PORT_LABEL not in labels:
        return None
    return f"http://{address}:{labels[HEALTH_PORT_LABEL]}{labels.get(HEALTH_PATH_LABEL, '/')}"


def inventory(client: Any, project: str, topology: Topology) -> Inventory:
    """List the project's containers (as probe targets) and named volumes."""
    members = []
    listed = _listed(client, project)
    for attrs in listed:
        service = (attrs.get("Labels") or {}).get(SERVICE_LABEL, "")
        try:
            kind = topology.kind_of(service)
        except StopIteration:
            continue  # not ours: e.g. a one-off container started by a user
        # Apps are probed where their users reach them: on the app network.
        address = _address(attrs, f"{project}_{'app' if kind == 'app' else 'infra'}")
        members.append(
            Member(
                service=service,
                kind=kind,
                container=attrs["Names"][0].lstrip("/"),
                address=address,
                state=attrs["State"],
                health_url=_health_url(kind, attrs, address),
                docker_health=_health(attrs.get("Status", "")),
            )
        )
    label = f"{PROJECT_LABEL}={project}"
    volumes = sorted(v.name for v in client.volumes.list(filters={"label": label}))
    tls = any((attrs.get("Labels") or {}).get(TLS_LABEL) == "on" for attrs in listed)
    return Inventory(sorted(members, key=lambda m: m.service), volumes, tls)


def health_states(client: Any, project: str) -> dict[str, str]:
    """service -> 'healthy' / 'starting' / 'unhealthy' / container state, for progress."""
    states = {}
    for attrs in _listed(client, project):
        service = (attrs.get("Labels") or {}).get(SERVICE_LABEL, attrs["Names"][0])
        states[service] = _health(attrs.get("Status", "")) or attrs["State"]
    return states


def published_targets(client: Any, project: str) -> dict[int, tuple[str, int]]:
    """host port -> (container address, container port) for every port the project publishes:
    where a published port leads when this host cannot use the published port itself."""
    targets: dict[int, tuple[str, int]] = {}
    for attrs in _listed(client, project):
        networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
        address = next((n.get("IPAddress") for n in networks.values() if n.get("IPAddress")), None)
        for binding in attrs.get("Ports") or []:
            if address and binding.get("PublicPort") and binding.get("Type", "tcp") == "tcp":
                targets[int(binding["PublicPort"])] = (address, int(binding["PrivatePort"]))
    return targets
