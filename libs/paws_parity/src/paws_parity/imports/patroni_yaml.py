"""Read a Patroni YAML: `bootstrap.dcs` is the cluster's DCS, `postgresql.parameters` local."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..collect.patroni import flatten
from ..collect.redact import redact_tree
from ..documents import parse_text
from ..errors import ConfigFileError
from ..model import Setting
from ._files import read_text


def read_patroni_yaml(path: Path) -> tuple[dict[str, Setting], dict[str, Setting], bool | None]:
    """(the DCS as /config flattens it, local PostgreSQL parameters, synchronous_mode)."""
    data: Any = parse_text(
        read_text(path), name=str(path), json_format=False, error=ConfigFileError
    )
    if not isinstance(data, dict) or not ({"bootstrap", "scope"} & data.keys()):
        raise ConfigFileError(
            f"{path}: not a Patroni configuration (no top-level bootstrap or scope)",
            "give the patroni.yml the members start with",
            path=str(path),
        )
    dcs = (data.get("bootstrap") or {}).get("dcs") or {}
    origin = path.name
    patroni = {
        key: Setting(value=value, origin=f"{origin}: bootstrap.dcs")
        for key, value in flatten(redact_tree(dcs)).items()
    }
    local = ((data.get("postgresql") or {}).get("parameters")) or {}
    postgresql = {
        str(key): Setting(value=value, origin=f"{origin}: postgresql.parameters")
        for key, value in redact_tree(local).items()
    }
    sync = dcs.get("synchronous_mode")
    return patroni, postgresql, None if sync is None else bool(sync)
