"""The one settings class of paws_parity: PAWS_PARITY_* variables and a .env file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import SettingsError
from .model import Severity


class ParitySettings(BaseSettings):
    """Everything a user may change about how parity is judged."""

    model_config = SettingsConfigDict(
        env_prefix="PAWS_PARITY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    min_score: float = Field(default=85.0, ge=0, le=100)
    max_critical: int = Field(default=0, ge=0)
    warning_limit: int = Field(default=3, ge=1)
    default_severity: Severity = Severity.WARNING
    waivers_file: Path = Path("parity-waivers.yaml")
    rules_file: Path | None = None
    endpoints_file: Path = Path(".paws/endpoints.yaml")


def load_settings(**overrides: object) -> ParitySettings:
    """Load settings, turning a validation error into one message naming the variable."""
    try:
        return ParitySettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise SettingsError(
            f"invalid setting PAWS_PARITY_{field.upper()}={first.get('input')!r}: {first['msg']}",
            f"fix or unset PAWS_PARITY_{field.upper()} in your environment or .env file",
        ) from None
