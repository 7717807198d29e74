"""Connection URLs for applications and tools; passwords masked unless asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    # The observability profile's Prometheus; None without `--profile observability`.
    prometheus_url: str | None = None
    # With a remote engine the ports above open on its host: this command brings them here.
    tunnel: str | None = None
    # TLS mode only: the local CA every URL above is verified against (docs/tls.md).
    ca_file: str | None = None

    def shown(self) -> dict[str, Any]:
        """The fields to print: the optional ones (tunnel, ca_file, app and Prometheus URLs)
        only when set."""
        return self.model_dump(exclude_none=True)


def build_endpoints(
    settings: StackSettings,
    topology: Topology,
    secrets: SecretStore,
    show_secrets: bool,
    ca_file: Path | None = None,
    engine_endpoint: str = "",
) -> Endpoints:
    def password(name: str) -> str:
        return secrets.read(name) if show_secrets else MASK

    host = settings.bind_address
    app = password("pg_app_password")
    # TLS mode: libpq verifies the server's name and chain; rediss:// is Redis over TLS.
    pg_tls = f"?sslmode=verify-full&sslrootcert={ca_file}" if ca_file else ""
    redis_scheme, web_scheme = ("rediss", "https") if ca_file else ("redis", "http")
    return Endpoints(
        postgres_url=f"postgresql://app:{app}@{host}:{settings.pg_port}/app{pg_tls}",
        postgres_ro_url=f"postgresql://app:{app}@{host}:{settings.pg_ro_port}/app{pg_tls}",
        redis_url=f"{redis_scheme}://:{password('redis_password')}@{host}:{settings.redis_port}/0",
        sentinels=[f"{name}:26379" for name in topology.services("sentinel")],
        sentinel_master="paws",
        etcd_endpoints=[f"{web_scheme}://{name}:2379" for name in topology.services("etcd")],
        haproxy_stats_url=f"http://{host}:{settings.stats_port}/stats",
        frontend_url=f"http://{host}:{settings.frontend_port}" if settings.apps else None,
        backend_url=f"http://{host}:{settings.backend_port}" if settings.apps else None,
        prometheus_url=(
            f"http://{host}:{settings.prometheus_port}" if settings.observability else None
        ),
        tunnel=tunnel_command(engine_endpoint, sorted(settings.published_ports().values())),
        ca_file=str(ca_file) if ca_file else None,
    )
