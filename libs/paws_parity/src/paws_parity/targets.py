"""Targets: `staging` (bundled), a snapshot file, configuration files, or `live:<endpoints>`."""

from __future__ import annotations

from pathlib import Path

from .endpoints import read_endpoints
from .errors import EndpointsError, TargetError
from .imports import files_in, import_files
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
    """A snapshot file (it records its `schema`) rather than a configuration file to import."""
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        return any(line.startswith("schema:") for line in handle)


def _config_files(spec: str) -> list[str] | None:
    """The configuration files a target names: a folder of them, or FILE[,FILE...]."""
    path = Path(spec)
    if path.is_dir():
        return files_in(path)
    parts = spec.split(",")
    if all(Path(part.partition("=")[2] or part).is_file() for part in parts) and not (
        len(parts) == 1 and _is_snapshot(path)
    ):
        return parts
    return None


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
