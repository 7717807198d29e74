"""PostgreSQL: pg_settings over SQL, read-only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg

from ..endpoints import PostgresEndpoint, read_secret
from ..errors import CollectorError
from ..model import Setting
from . import Collected
from .redact import redact_value

QUERY = "SELECT name, setting, unit, vartype, context, source FROM pg_settings ORDER BY name"


def settings_from_rows(rows: Iterable[Sequence[str | None]]) -> dict[str, Setting]:
    """pg_settings rows (name, setting, unit, vartype, context[, source]), secrets redacted."""
    fields = ("value", "unit", "vartype", "context", "source")
    settings = {}
    for name, *rest in rows:
        row = dict(zip(fields, rest, strict=False))
        row["value"] = redact_value(str(name), row["value"])
        settings[str(name)] = Setting.model_validate(row)
    return settings


def collect_postgresql(endpoint: PostgresEndpoint, timeout: float) -> Collected:
    """Read pg_settings from the primary in a read-only session."""
    password = read_secret(endpoint.password_file, "postgresql")
    try:
        with psycopg.connect(
            endpoint.dsn,
            password=password,
            connect_timeout=max(1, int(timeout)),
            application_name="paws-parity",
            autocommit=True,
        ) as conn:
            conn.read_only = True
            rows = conn.execute(QUERY).fetchall()
    except psycopg.Error as exc:
        raise CollectorError(
            "postgresql",
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            "check that the stack is up and the DSN and password file in the endpoints file",
        ) from None
    settings = settings_from_rows(rows)
    version = settings.get("server_version")
    return Collected("postgresql", settings, version=str(version.value) if version else None)
