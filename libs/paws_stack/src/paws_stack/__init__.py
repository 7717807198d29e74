"""paws_stack: bring the production HA topology up locally and prove it healthy.

>>> from paws_stack import Stack
>>> stack = Stack.from_settings(profile="lite")  # doctest: +SKIP
>>> stack.up().healthy  # doctest: +SKIP
True
"""

import importlib.metadata as _metadata

from ._lock import ProjectLock
from .clienttls import ClientTls
from .endpoints import Endpoints
from .engine import EngineInfo, detect_engine
from .errors import (
    BackupError,
    BackupRefused,
    ComposeError,
    ComposeUnavailable,
    ConfirmationRequired,
    DaemonNotRunning,
    EngineError,
    EngineNotFound,
    ForeignProject,
    HostCheckError,
    ImageBuildError,
    InstallError,
    PawsStackError,
    PortInUse,
    ProbeError,
    ProjectBusy,
    SecretsError,
    SettingsError,
    StackNotHealthy,
)
from .health import Component, HealthReport
from .reach import DirectReach, Reach
from .settings import StackSettings, load_settings
from .stack import Stack
from .topology import Topology

try:
    __version__ = _metadata.version("paws-stack")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "BackupError",
    "BackupRefused",
    "ClientTls",
    "Component",
    "ComposeError",
    "ComposeUnavailable",
    "ConfirmationRequired",
    "DaemonNotRunning",
    "DirectReach",
    "Endpoints",
    "EngineError",
    "EngineInfo",
    "EngineNotFound",
    "ForeignProject",
    "HealthReport",
    "HostCheckError",
    "ImageBuildError",
    "InstallError",
    "PawsStackError",
    "PortInUse",
    "ProbeError",
    "ProjectBusy",
    "ProjectLock",
    "Reach",
    "SecretsError",
    "SettingsError",
    "Stack",
    "StackNotHealthy",
    "StackSettings",
    "Topology",
    "__version__",
    "detect_engine",
    "load_settings",
]
