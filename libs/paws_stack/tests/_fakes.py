"""Shared fakes for unit tests: a usable engine to vary one field at a time."""

from __future__ import annotations

import dataclasses

from paws_stack.engine import EngineInfo

USABLE_ENGINE = EngineInfo(
    kind="docker",
    client_path="/usr/bin/docker",
    client_version="28.2.2",
    server_version="20.10.24",
    compose_argv=("docker", "compose"),
    compose_version="2.26.1",
    daemon_running=True,
)


def engine(**changes: object) -> EngineInfo:
    """A usable engine, with `changes` applied."""
    return dataclasses.replace(USABLE_ENGINE, **changes)  # type: ignore[arg-type]
