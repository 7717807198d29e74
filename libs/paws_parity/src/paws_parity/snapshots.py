"""Snapshot files: read, write, and the bundled ones shipped in the package."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from .collect.redact import redact_tree
from .documents import dump_text, is_json, read_model
from .errors import SnapshotError
from .model import Snapshot

_FIX = "correct the field in the snapshot file, or export it again with `paws-parity snapshot`"


def read_snapshot(path: str | Path) -> Snapshot:
    """Read a YAML 1.2 or JSON snapshot file, redacted as a live collection would be."""
    return redacted(read_model(Snapshot, Path(path), error=SnapshotError, fix=_FIX))


def redacted(snapshot: Snapshot) -> Snapshot:
    """The collectors' redaction applied to a snapshot from a file (one hand-written, say).

    Both sides of a comparison are then redacted alike, and no secret in a file is printed.
    """
    settings = {}
    for component, values in snapshot.settings.items():
        settings[component] = dict(values)
        for key, setting in values.items():
            value = redact_tree(setting.value, key)
            if value != setting.value:
                settings[component][key] = setting.model_copy(update={"value": value})
    return snapshot.model_copy(update={"settings": settings})


def snapshot_to_text(snapshot: Snapshot, *, json_format: bool = False) -> str:
    """Serialise a snapshot as YAML 1.2 or JSON."""
    return dump_text(snapshot.to_document(), json_format=json_format)


def write_snapshot(snapshot: Snapshot, path: str | Path) -> Path:
    """Write a snapshot; the suffix (.json or anything else for YAML) picks the format."""
    out = Path(path)
    out.write_text(snapshot_to_text(snapshot, json_format=is_json(out)), encoding="utf-8")
    return out


@functools.lru_cache(maxsize=4)
def bundled_snapshot(name: str = "staging") -> Snapshot:
    """A snapshot shipped inside the package (`staging` is the default target)."""
    resource = resources.files("paws_parity") / "data" / f"{name}.yaml"
    text = resource.read_text(encoding="utf-8")
    return redacted(
        read_model(
            Snapshot, Path(f"<bundled {name}.yaml>"), error=SnapshotError, fix=_FIX, text=text
        )
    )
