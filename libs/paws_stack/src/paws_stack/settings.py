"""The settings class of paws_stack: PAWS_* variables and a .env file, validated at the boundary."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .engine import EngineChoice
from .errors import SettingsError
from .reach import ReachMode

Profile = Literal["full", "lite"]
ImageSource = Literal["auto", "registry", "debian"]

# Host ports are published on loopback only; these are the settings that name them.
PORT_SETTINGS = ("pg_port", "pg_ro_port", "redis_port", "stats_port")
# The reference apps' ports (apps/compose.yaml publishes them; a team's apps file may too).
APP_PORT_SETTINGS = ("backend_port", "frontend_port")
# The observability profile's exporters and Prometheus (compose.yaml, profile `observability`).
OBSERVABILITY_PORT_SETTINGS = ("pg_exporter_port", "redis_exporter_port", "prometheus_port")


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding compose/compose.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "compose" / "compose.yaml").is_file():
            return candidate
    return here


class StackSettings(BaseSettings):
    """Everything a user may change about the local stack."""

    model_config = SettingsConfigDict(
        env_prefix="PAWS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    project_dir: Path = Field(default_factory=find_project_dir)
    project_name: str = Field(default="paws", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    profile: Profile = "full"
    image_source: ImageSource = "auto"
    bind_address: str = "127.0.0.1"
    pg_port: int = Field(default=15432, ge=1024, le=65535)
    pg_ro_port: int = Field(default=15433, ge=1024, le=65535)
    redis_port: int = Field(default=16379, ge=1024, le=65535)
    stats_port: int = Field(default=18404, ge=1024, le=65535)
    backend_port: int = Field(default=8080, ge=1024, le=65535)
    frontend_port: int = Field(default=3000, ge=1024, le=65535)
    pg_exporter_port: int = Field(default=19187, ge=1024, le=65535)
    redis_exporter_port: int = Field(default=19121, ge=1024, le=65535)
    prometheus_port: int = Field(default=19090, ge=1024, le=65535)
    # The application tier: on by default (`--no-apps` or PAWS_APPS=false for infra only).
    apps: bool = True
    # A compose file of the team's own services; the reference apps are the default.
    apps_file: Path | None = None
    # TLS mode (PAWS_TLS=on or `up --tls`): a local CA, every connection verified (docs/tls.md).
    tls: bool = False
    # The PostgreSQL and Redis exporters and Prometheus (`--profile observability`); off by
    # default.
    observability: bool = False
    # `dev`: poll for changes instead of inotify (VM shares, WSL2 Windows paths); costs CPU.
    dev_polling: bool = False
    # How paws reaches container addresses: `auto` relays through the engine unless it is a
    # local Linux one (Docker Desktop, colima, a remote DOCKER_HOST); docs/troubleshooting.md.
    reach: ReachMode = "auto"
    # Which engine: `auto` takes docker where its client is installed, else podman, whose API
    # service the docker clients then use (docs/troubleshooting.md, "Podman").
    engine: EngineChoice = "auto"
    wait_timeout: float = Field(default=300.0, gt=0, le=3600)
    secrets_dir: Path | None = None
    log_level: Literal["debug", "info", "warning"] = "warning"
    # CI systems set CI=true; setup then installs without asking, as with --yes.
    ci: bool = Field(default=False, validation_alias="CI")

    @field_validator("bind_address")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        # The stack is a development tool: never expose databases beyond this machine.
        address = ipaddress.ip_address(value)
        if not address.is_loopback:
            raise ValueError("must be a loopback address such as 127.0.0.1")
        if address.version == 6:
            # compose's `${PAWS_BIND_ADDRESS}:port:port` and every URL we print take IPv4 only.
            raise ValueError("IPv6 is not supported for published ports; use 127.0.0.1")
        return value

    @field_validator("project_name")
    @classmethod
    def _not_a_lite_name(cls, value: str) -> str:
        # `<name>-lite` is the lite profile's project of `<name>`: `paws-lite` would be both.
        if value.endswith("-lite"):
            raise ValueError(
                f"names ending in -lite are the lite profile's projects ({value} is the lite "
                f"project of {value.removesuffix('-lite')}); choose another name"
            )
        return value

    @property
    def secrets_path(self) -> Path:
        return self.secrets_dir or self.project_dir / ".paws" / "secrets"

    @property
    def state_path(self) -> Path:
        return self.project_dir / ".paws"

    @property
    def compose_dir(self) -> Path:
        return self.project_dir / "compose"

    @property
    def apps_path(self) -> Path:
        return self.apps_file or self.project_dir / "apps" / "compose.yaml"

    def published_ports(self) -> dict[str, int]:
        """Map of PAWS_* variable name to host port (the apps' and observability's when on)."""
        names = PORT_SETTINGS + (APP_PORT_SETTINGS if self.apps else ())
        names += OBSERVABILITY_PORT_SETTINGS if self.observability else ()
        return {f"PAWS_{name.upper()}": getattr(self, name) for name in names}


def load_settings(**overrides: object) -> StackSettings:
    """Load settings, turning a validation error into one message naming the variable."""
    try:
        settings = StackSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise _settings_error(exc) from None
    _reject_duplicate_ports(settings)
    return settings


def _settings_error(exc: ValidationError) -> SettingsError:
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    # Fields read through an alias (CI) are named as the user spells them.
    variable = field if field.isupper() else f"PAWS_{field.upper()}"
    value = first.get("input")
    return SettingsError(
        f"invalid setting {variable}={value!r}: {first['msg']}",
        f"fix or unset {variable} in your environment or .env file",
    )


def _reject_duplicate_ports(settings: StackSettings) -> None:
    seen: dict[int, str] = {}
    for name, port in settings.published_ports().items():
        if port in seen:
            raise SettingsError(
                f"invalid setting {name}={port}: the same port is already used by {seen[port]}",
                f"give {name} and {seen[port]} different ports",
            )
        seen[port] = name
