"""Targets: `staging` (bundled), a snapshot file, or `live:<endpoints file>`."""

from __future__ import annotations

from pathlib import Path

from .endpoints import read_endpoints
from .errors import EndpointsError, TargetError
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


def resolve_target(spec: str) -> Snapshot:
    """The snapshot a `--target` value names; unknown values are a clear error."""
    if spec in BUNDLED:
        return bundled_snapshot(spec)
    if spec.startswith(LIVE_PREFIX):
        return collect_from(spec[len(LIVE_PREFIX) :], source=spec)
    path = Path(spec)
    if path.is_file():
        return read_snapshot(path)
    raise TargetError(
        f"unknown target {spec!r}: not a bundled snapshot ({', '.join(BUNDLED)}), "
        "not an existing snapshot file, and not live:<endpoints file>",
        "use --target staging, --target path/to/snapshot.yaml or --target live:endpoints.yaml",
    )
