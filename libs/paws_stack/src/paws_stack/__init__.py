"""paws_stack: bring the production HA topology up locally and prove it healthy.

>>> from paws_stack import Stack
>>> stack = Stack.from_settings(profile="lite")  # doctest: +SKIP
>>> stack.up().healthy  # doctest: +SKIP
True
"""

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
from .settings import StackSettings, load_settings
from .stack import Stack
from .topology import Topology

__version__ = "0.2.0"

__all__ = [
    "BackupError",
    "BackupRefused",
    "ClientTls",
    "Component",
    "ComposeError",
    "ComposeUnavailable",
    "ConfirmationRequired",
    "DaemonNotRunning",
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
