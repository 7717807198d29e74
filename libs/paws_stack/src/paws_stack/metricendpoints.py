"""Where each part of the stack serves Prometheus metrics: the knowledge, as data.

Two views of the same endpoints. From the host (`paws-stack metrics`), members are reached on
their container address (the host routes to the project's bridge networks; where it does not,
paws relays through the engine: reach.py), HAProxy on its published stats port, the apps where
their x-paws.metrics block says, and the observability profile's services on the loopback
ports they were published on. From inside the project's networks (the profile's Prometheus,
prometheus.py), every endpoint is its compose service name and container port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .apps import AppsFile
from .members import PROJECT_LABEL, SERVICE_LABEL
from .metrics import Endpoint
from .probes import Member
from .settings import StackSettings
from .topology import Kind, Topology

# kind -> (container port, path, a series the endpoint always carries). Both are https in TLS
# mode (etcd's client URLs and Patroni's REST API, docs/tls.md).
MEMBER_METRICS: dict[Kind, tuple[int, str, str]] = {
    "etcd": (2379, "/metrics", "etcd_server_has_leader"),
    "patroni": (8008, "/metrics", "patroni_postgres_running"),
}
# The stats frontend's container port (compose/config/haproxy/haproxy.cfg); plain http always.
HAPROXY_METRICS = (8404, "/metrics", "haproxy_backend_active_servers")
# The observability profile's exporters: service -> (container port, a series it always
# carries); /metrics, plain http, published on loopback.
EXPORTERS: dict[str, tuple[int, str]] = {
    "exporter-postgres": (9187, "pg_up"),
    "exporter-redis": (9121, "redis_up"),
}
PROMETHEUS = "prometheus"
# Every service of the profile, Prometheus itself included (it scrapes its own /metrics).
OBSERVABILITY: dict[str, tuple[int, str]] = {
    **EXPORTERS,
    PROMETHEUS: (9090, "prometheus_build_info"),
}


@dataclass(frozen=True)
class Source:
    """One endpoint as the project's networks see it: a compose service name and its port."""

    job: str  # the group Prometheus scrapes it in: a member kind, or the service itself
    service: str
    port: int
    path: str
    key_series: str
    https_in_tls: bool = False

    @property
    def address(self) -> str:
        return f"{self.service}:{self.port}"


def network_sources(topology: Topology, apps: AppsFile | None) -> list[Source]:
    """Every endpoint of the profile's members, HAProxy, the apps and the observability
    services, by service name: what Prometheus scrapes from inside the networks."""
    found = [
        Source(kind, service, port, path, series, https_in_tls=True)
        for kind, (port, path, series) in MEMBER_METRICS.items()
        for service in topology.services(kind)
    ]
    port, path, series = HAPROXY_METRICS
    found.append(Source("haproxy", "haproxy", port, path, series))
    for app in apps.apps if apps else ():
        if app.metrics:
            metrics = app.metrics
            found.append(Source(app.name, app.name, metrics.port, metrics.path, metrics.series))
    for service, (port, series) in OBSERVABILITY.items():
        found.append(Source(service, service, port, "/metrics", series))
    return found


def member_endpoints(members: list[Member], scheme: str = "http") -> list[Endpoint]:
    """etcd's and Patroni's own /metrics on each running member (`scheme` https in TLS mode)."""
    found = []
    for member in members:
        spec = MEMBER_METRICS.get(member.kind)
        if spec and member.address and member.state == "running":
            port, path, series = spec
            url = f"{scheme}://{member.address}:{port}{path}"
            found.append(Endpoint(member.service, url, series))
    return found


def haproxy_endpoint(settings: StackSettings) -> Endpoint:
    _, path, series = HAPROXY_METRICS
    url = f"http://{settings.bind_address}:{settings.stats_port}{path}"
    return Endpoint("haproxy", url, series, published=True)


def app_endpoints(members: list[Member], apps: AppsFile | None) -> list[Endpoint]:
    """Each running app that declares x-paws.metrics, on its app-network address."""
    if apps is None:
        return []
    addresses = {m.service: m.address for m in members if m.kind == "app" and m.address}
    found = []
    for app in apps.apps:
        address = addresses.get(app.name)
        if app.metrics and address:
            url = f"http://{address}:{app.metrics.port}{app.metrics.path}"
            found.append(Endpoint(app.name, url, app.metrics.series))
    return found


def observability_endpoints(client: Any, project: str) -> list[Endpoint]:
    """The profile's services that run (`--profile observability`), on their published ports."""
    found = []
    for service, (port, series) in OBSERVABILITY.items():
        labels = [f"{PROJECT_LABEL}={project}", f"{SERVICE_LABEL}={service}"]
        for container in client.containers.list(filters={"label": labels}):
            bindings = (container.ports or {}).get(f"{port}/tcp") or []
            if bindings:
                host, host_port = bindings[0]["HostIp"], bindings[0]["HostPort"]
                url = f"http://{host}:{host_port}/metrics"
                found.append(Endpoint(service, url, series, published=True))
    return found


def stack_endpoints(
    settings: StackSettings,
    members: list[Member],
    apps: AppsFile | None,
    client: Any,
    project: str,
    scheme: str = "http",
) -> list[Endpoint]:
    """Every metrics endpoint of the running stack, members first."""
    return [
        *member_endpoints(members, scheme),
        haproxy_endpoint(settings),
        *app_endpoints(members, apps),
        *observability_endpoints(client, project),
    ]
