"""Endpoints file: where a live environment's components answer (plain inputs, no paws_stack)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .documents import read_model
from .errors import CollectorError, EndpointsError

_FIX = "correct the endpoints file; docs/parity.md shows every field"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PostgresEndpoint(_Strict):
    """A libpq DSN of the primary (through HAProxy is fine); the password from a file."""

    dsn: str
    password_file: Path | None = None


class TlsOptions(_Strict):
    """How to verify a TLS server: against this CA file, and whether by name too.

    check_hostname false verifies the chain only, for URLs that name a member by an address
    its certificate cannot carry (a container's, which changes when it is recreated).
    """

    ca_file: Path | None = None
    check_hostname: bool = True


class PatroniEndpoint(_Strict):
    """Patroni REST API base URLs, one per member; the first that answers is used."""

    urls: list[str] = Field(min_length=1)
    username: str | None = None
    password_file: Path | None = None
    tls: TlsOptions | None = None


class RedisEndpoint(_Strict):
    """The Redis master's URL (redis://host:port/0); the password from a file."""

    url: str
    password_file: Path | None = None
    tls: TlsOptions | None = None  # for rediss:// URLs


class SentinelEndpoint(_Strict):
    """Sentinel URLs and the monitored master's name."""

    urls: list[str] = Field(min_length=1)
    master: str
    password_file: Path | None = None
    tls: TlsOptions | None = None  # for rediss:// URLs


class ContainersEndpoint(_Strict):
    """Container names, for components read through the engine (etcd, HAProxy)."""

    containers: list[str] = Field(min_length=1)
    config_path: str | None = None  # HAProxy: the rendered config inside the container
    # etcd over https: the CA file inside the member, for the questions asked there.
    ca_file: str | None = None


class ComposeEndpoint(_Strict):
    """Compose files for structure; profiles and variables as the stack was started."""

    files: list[Path] = Field(min_length=1)
    profiles: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    app_services: list[str] = Field(default_factory=list)


class Endpoints(_Strict):
    """Everything the live collector needs; a component left out is not collected."""

    name: str = "local"
    postgresql: PostgresEndpoint | None = None
    patroni: PatroniEndpoint | None = None
    redis: RedisEndpoint | None = None
    sentinel: SentinelEndpoint | None = None
    etcd: ContainersEndpoint | None = None
    haproxy: ContainersEndpoint | None = None
    compose: ComposeEndpoint | None = None
    timeout: float = Field(default=5.0, gt=0, le=120)


def read_endpoints(path: str | Path) -> Endpoints:
    """Read an endpoints YAML or JSON file; relative paths in it are taken from its folder."""
    file = Path(path)
    endpoints = read_model(Endpoints, file, error=EndpointsError, fix=_FIX)
    return _anchor(endpoints, file.parent)


def _anchor(endpoints: Endpoints, base: Path) -> Endpoints:
    def fix(path: Path | None) -> Path | None:
        if path is None:
            return None
        return path if path.is_absolute() else base / path

    updates: dict[str, object] = {}
    for name in ("postgresql", "patroni", "redis", "sentinel"):
        part = getattr(endpoints, name)
        if part is not None and part.password_file is not None:
            part = part.model_copy(update={"password_file": fix(part.password_file)})
            updates[name] = part
        tls = getattr(part, "tls", None)
        if tls is not None and tls.ca_file is not None:
            updates[name] = part.model_copy(
                update={"tls": tls.model_copy(update={"ca_file": fix(tls.ca_file)})}
            )
    if endpoints.compose is not None:
        files = [path if path.is_absolute() else base / path for path in endpoints.compose.files]
        updates["compose"] = endpoints.compose.model_copy(update={"files": files})
    return endpoints.model_copy(update=updates)


def read_secret(path: Path | None, component: str) -> str | None:
    """A password from a file, stripped; None when no file is given."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CollectorError(
            component, f"cannot read password file {path}: {exc.strerror}"
        ) from None
