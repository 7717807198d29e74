"""The settings class of paws_chaos: PAWS_CHAOS_* variables and .env, validated at the boundary."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import CouldNotRun


class ChaosSettings(BaseSettings):
    """How experiments sample, write and wait. The stack itself is paws_stack's settings."""

    model_config = SettingsConfigDict(
        env_prefix="PAWS_CHAOS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    poll_interval_s: float = Field(default=0.25, gt=0, le=5)
    write_interval_s: float = Field(default=0.02, ge=0, le=5)
    connect_timeout_s: int = Field(default=2, ge=1, le=30)
    redis_wait_ms: int = Field(default=1000, ge=1, le=60_000)
    # A gap without errors shorter than one Patroni loop (2 s) is scheduling noise, not an outage.
    stall_threshold_s: float = Field(default=2.0, gt=0, le=60)
    recover_timeout_s: float = Field(default=180.0, gt=0, le=3600)
    settle_s: float = Field(default=2.0, ge=0, le=60)
    # Fewer good watcher samples than this and "no split brain" is not measured: a failure.
    min_samples: int = Field(default=20, ge=1, le=100_000)
    scenario_dir: Path | None = None

    # The HTTP workload through the apps (docs/chaos.md, "The HTTP workload"). False
    # (`--no-http`): skipped.
    http: bool = True
    # Clients per route (frontend /api and the backend directly) and their total request rate:
    # modest, so the clients do not compete with the stack for a 2-core machine.
    http_clients_per_route: int = Field(default=2, ge=1, le=16)
    http_rate_per_s: float = Field(default=10.0, gt=0, le=500)
    # Above the backend's 30 s retry deadline, so a slow success is seen as one.
    http_timeout_s: float = Field(default=40.0, gt=0, le=600)


def load_chaos_settings(**overrides: object) -> ChaosSettings:
    """Load settings, turning a validation error into one message naming the variable."""
    try:
        return ChaosSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = f"PAWS_CHAOS_{str(first['loc'][0]).upper()}" if first["loc"] else "?"
        raise CouldNotRun(
            f"invalid setting {variable}={first.get('input')!r}: {first['msg']}",
            f"fix or unset {variable} in your environment or .env file",
        ) from None
