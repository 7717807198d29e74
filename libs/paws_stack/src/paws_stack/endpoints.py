"""Connection URLs for applications and tools; passwords masked unless asked for."""

from __future__ import annotations

from pydantic import BaseModel

from .enginehost import tunnel_command
from .secrets import SecretStore
from .settings import StackSettings
from .topology import Topology

MASK = "********"


class Endpoints(BaseModel):
    """Where to connect. Host addresses go through HAProxy; the rest are infra-network names."""

    postgres_url: str
    postgres_ro_url: str
    redis_url: str
    sentinels: list[str]
    sentinel_master: str
    etcd_endpoints: list[str]
    haproxy_stats_url: str
    # The reference apps' addresses; None when the stack runs without apps.
    frontend_url: str | None = None
    backend_url: str | None = None
    # With a remote engine the ports above open on its host: this command brings them here.
    tunnel: str | None = None


def build_endpoints(
    settings: StackSettings,
    topology: Topology,
    secrets: SecretStore,
    show_secrets: bool,
    engine_endpoint: str = "",
) -> Endpoints:
    def password(name: str) -> str:
        return secrets.read(name) if show_secrets else MASK

    host = settings.bind_address
    app = password("pg_app_password")
    return Endpoints(
        postgres_url=f"postgresql://app:{app}@{host}:{settings.pg_port}/app",
        postgres_ro_url=f"postgresql://app:{app}@{host}:{settings.pg_ro_port}/app",
        redis_url=f"redis://:{password('redis_password')}@{host}:{settings.redis_port}/0",
        sentinels=[f"{name}:26379" for name in topology.services("sentinel")],
        sentinel_master="paws",
        etcd_endpoints=[f"http://{name}:2379" for name in topology.services("etcd")],
        haproxy_stats_url=f"http://{host}:{settings.stats_port}/stats",
        frontend_url=f"http://{host}:{settings.frontend_port}" if settings.apps else None,
        backend_url=f"http://{host}:{settings.backend_port}" if settings.apps else None,
        tunnel=tunnel_command(engine_endpoint, sorted(settings.published_ports().values())),
    )
