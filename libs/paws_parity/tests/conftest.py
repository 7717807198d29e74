"""Shared fixtures: real pg_settings / CONFIG GET output and small snapshot builders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from helpers import FIXTURES


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """Every test starts with no bound log context."""
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


@pytest.fixture(scope="session")
def pg_rows() -> dict[str, dict[str, Any]]:
    """pg_settings of a real PostgreSQL 15.18, by name."""
    rows = json.loads((FIXTURES / "pg15_settings.json").read_text())
    return {row["name"]: row for row in rows}


@pytest.fixture(scope="session")
def redis_config() -> dict[str, str]:
    """CONFIG GET * of a real Redis 7.0.15."""
    lines = (FIXTURES / "redis70_config_get.txt").read_text().split("\n")
    return dict(zip(lines[0::2], lines[1::2], strict=False))
