"""paws_parity: score how far an environment drifts from staging, and say how to fix it."""

from __future__ import annotations

import importlib.metadata as _metadata

from .compare import diff
from .errors import (
    CollectorError,
    ConfigFileError,
    EndpointsError,
    InputError,
    ParityError,
    RulesError,
    SettingsError,
    SnapshotError,
    TargetError,
    WaiverError,
)
from .imports import import_files
from .model import Finding, Kind, Setting, Severity, Snapshot, Topology
from .report import Report, build_report
from .rules import Rules, load_rules
from .score import Score, Thresholds
from .settings import ParitySettings, load_settings
from .snapshots import bundled_snapshot, read_snapshot, snapshot_to_text, write_snapshot
from .targets import resolve_target
from .waivers import Waivers, load_waivers

try:
    __version__ = _metadata.version("paws-parity")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "CollectorError",
    "ConfigFileError",
    "EndpointsError",
    "Finding",
    "InputError",
    "Kind",
    "ParityError",
    "ParitySettings",
    "Report",
    "Rules",
    "RulesError",
    "Score",
    "Setting",
    "SettingsError",
    "Severity",
    "Snapshot",
    "SnapshotError",
    "TargetError",
    "Thresholds",
    "Topology",
    "WaiverError",
    "Waivers",
    "__version__",
    "build_report",
    "bundled_snapshot",
    "diff",
    "import_files",
    "load_rules",
    "load_settings",
    "load_waivers",
    "read_snapshot",
    "resolve_target",
    "snapshot_to_text",
    "write_snapshot",
]
