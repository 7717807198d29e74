"""Structure from compose files: services, networks, volumes, limits, published ports.

Read-only and offline: the files are parsed here (merge keys, `${VAR:-default}`
interpolation, profiles); no compose command is run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import CollectorError
from ..model import Service, Structure

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$\$")


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose-style `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, default = match.group(1), match.group(2), match.group(3) or ""
        value = env.get(name)
        if operator in (":-", ":?") and not value:
            return default if operator == ":-" else ""
        if operator in ("-", "?") and value is None:
            return default if operator == "-" else ""
        return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolated(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {str(k): _interpolated(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolated(item, env) for item in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def load_compose(files: Iterable[Path], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The merged document of several compose files (later files override earlier ones)."""
    merged: dict[str, Any] = {}
    for path in files:
        try:
            data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        except (OSError, YAMLError) as exc:
            raise CollectorError("compose", f"cannot read {path}: {exc}") from None
        for section, value in _interpolated(data, env or {}).items():
            if isinstance(value, dict) and isinstance(merged.get(section), dict):
                merged[section] = {**merged[section], **value}
            else:
                merged[section] = value
    return merged


def _names(value: Any) -> list[str]:
    if isinstance(value, dict):
        return sorted(str(k) for k in value)
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return []


def _port(entry: Any) -> str:
    if isinstance(entry, dict):
        return f"{entry.get('target')}/{entry.get('protocol', 'tcp')}"
    text = str(entry)
    port = text.rsplit(":", 1)[-1]
    return port if "/" in port else f"{port}/tcp"


def _mount(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("target", ""))
    parts = str(entry).split(":")
    return parts[0] if len(parts) == 1 else ":".join(parts[1:])


def _service(spec: Mapping[str, Any]) -> Service:
    limits = ((spec.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    return Service(
        image=spec.get("image"),
        networks=_names(spec.get("networks")),
        volumes=sorted(_mount(v) for v in spec.get("volumes") or []),
        ports=sorted(_port(p) for p in spec.get("ports") or []),
        limits={str(k): str(v) for k, v in sorted(limits.items())},
    )


def _active(spec: Mapping[str, Any], profiles: set[str]) -> bool:
    wanted = spec.get("profiles") or []
    return not wanted or bool(profiles & set(wanted))


def structure(document: Mapping[str, Any], profiles: Iterable[str] = ()) -> Structure:
    """The parity-relevant structure of a merged compose document."""
    active = set(profiles)
    services = {
        name: _service(spec)
        for name, spec in (document.get("services") or {}).items()
        if isinstance(spec, dict) and _active(spec, active)
    }
    used_volumes = {v.split(":")[0] for s in (document.get("services") or {}).values()
                    if isinstance(s, dict) and _active(s, active)
                    for v in s.get("volumes") or [] if isinstance(v, str)}  # fmt: skip
    volumes = [name for name in _names(document.get("volumes")) if name in used_volumes]
    return Structure(services=services, networks=_names(document.get("networks")), volumes=volumes)


def env_names(spec: Mapping[str, Any]) -> list[str]:
    """The names (never the values) of a service's environment variables."""
    environment = spec.get("environment") or {}
    if isinstance(environment, dict):
        return sorted(str(k) for k in environment)
    return sorted(str(item).split("=", 1)[0] for item in environment)


def app_env(document: Mapping[str, Any], services: Iterable[str]) -> dict[str, list[str]]:
    """Environment variable names of the application services."""
    specs = document.get("services") or {}
    return {name: env_names(specs.get(name) or {}) for name in services}
