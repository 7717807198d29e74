"""Targets: `staging` (bundled), a snapshot file, configuration files, or `live:<endpoints>`."""

from __future__ import annotations

from pathlib import Path

from .endpoints import read_endpoints
from .errors import ConfigFileError, EndpointsError, TargetError
from .imports import KINDS, files_in, import_files, is_patroni_yaml, kind_of
from .model import Snapshot
from .snapshots import bundled_snapshot, read_snapshot

BUNDLED = ("staging",)
LIVE_PREFIX = "live:"


def collect_from(endpoints_file: str | Path, source: str = "") -> Snapshot:
    """A live snapshot of the environment an endpoints file describes."""
    from .collect.live import collect_live  # imported late: drivers load only when needed

    path = Path(endpoints_file)
    if not path.is_file():
        raise EndpointsError(
            f"no endpoints file at {path}",
            "write one (docs/parity.md shows the format), or pass --endpoints FILE",
            path=str(path),
        )
    return collect_live(read_endpoints(path), source=source or f"live:{path}")


def _is_snapshot(path: Path) -> bool:
    """A snapshot file rather than a configuration file to import: JSON, or YAML that is not
    a Patroni configuration (a hand-written snapshot may leave out `schema`)."""
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    return not is_patroni_yaml(path)


def _config_files(spec: str) -> list[str] | None:
    """The configuration files a target names: a folder of them, or FILE[,FILE...]."""
    path = Path(spec)
    if path.is_dir():
        return files_in(path)
    parts = spec.split(",")
    kind, sep, rest = spec.partition("=")
    if sep and kind in KINDS:
        path = Path(rest)
    if len(parts) == 1 and (not path.is_file() or _is_snapshot(path) or not _named(spec)):
        return None  # one file of no configuration kind: read as a snapshot, as before
    return parts


def _named(spec: str) -> bool:
    try:
        kind_of(spec)
    except ConfigFileError:
        return False
    return True


def resolve_target(spec: str) -> Snapshot:
    """The snapshot a `--target` value names; unknown values are a clear error."""
    if spec in BUNDLED:
        return bundled_snapshot(spec)
    if spec.startswith(LIVE_PREFIX):
        return collect_from(spec[len(LIVE_PREFIX) :], source=spec)
    files = _config_files(spec)
    if files:
        return import_files(files, name=Path(spec.split(",")[0]).stem or "imported")
    path = Path(spec)
    if path.is_file():
        return read_snapshot(path)
    raise TargetError(
        f"unknown target {spec!r}: not a bundled snapshot ({', '.join(BUNDLED)}), "
        "not an existing snapshot file or folder of configuration files, "
        "and not live:<endpoints file>",
        "use --target staging, --target path/to/snapshot.yaml, --target path/to/configs/ "
        "or --target live:endpoints.yaml",
    )
