"""Where each part of the stack serves Prometheus metrics: the knowledge, as data.

Members are reached on their container address (the host routes to the project's bridge
networks), HAProxy on its published stats port, the apps where their x-paws.metrics block says,
and the observability profile's exporters on the loopback ports they were published on.
"""

from __future__ import annotations

from typing import Any

from .apps import AppsFile
from .members import PROJECT_LABEL, SERVICE_LABEL
from .metrics import Endpoint
from .probes import Member
from .settings import StackSettings

# kind -> (port, path, a series the endpoint always carries).
MEMBER_METRICS: dict[str, tuple[int, str, str]] = {
    "etcd": (2379, "/metrics", "etcd_server_has_leader"),
    "patroni": (8008, "/metrics", "patroni_postgres_running"),
}
HAPROXY_METRICS = ("/metrics", "haproxy_backend_active_servers")
# exporter service -> (container port, a series it always carries).
EXPORTERS: dict[str, tuple[int, str]] = {
    "exporter-postgres": (9187, "pg_up"),
    "exporter-redis": (9121, "redis_up"),
}


def member_endpoints(members: list[Member]) -> list[Endpoint]:
    """etcd's and Patroni's own /metrics on each running member."""
    found = []
    for member in members:
        spec = MEMBER_METRICS.get(member.kind)
        if spec and member.address and member.state == "running":
            port, path, series = spec
            found.append(Endpoint(member.service, f"http://{member.address}:{port}{path}", series))
    return found


def haproxy_endpoint(settings: StackSettings) -> Endpoint:
    path, series = HAPROXY_METRICS
    url = f"http://{settings.bind_address}:{settings.stats_port}{path}"
    return Endpoint("haproxy", url, series)


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


def exporter_endpoints(client: Any, project: str) -> list[Endpoint]:
    """The exporters that run (`--profile observability`), on their published host ports."""
    found = []
    for service, (port, series) in EXPORTERS.items():
        labels = [f"{PROJECT_LABEL}={project}", f"{SERVICE_LABEL}={service}"]
        for container in client.containers.list(filters={"label": labels}):
            bindings = (container.ports or {}).get(f"{port}/tcp") or []
            if bindings:
                host, host_port = bindings[0]["HostIp"], bindings[0]["HostPort"]
                found.append(Endpoint(service, f"http://{host}:{host_port}/metrics", series))
    return found


def stack_endpoints(
    settings: StackSettings,
    members: list[Member],
    apps: AppsFile | None,
    client: Any,
    project: str,
) -> list[Endpoint]:
    """Every metrics endpoint of the running stack, members first."""
    return [
        *member_endpoints(members),
        haproxy_endpoint(settings),
        *app_endpoints(members, apps),
        *exporter_endpoints(client, project),
    ]
