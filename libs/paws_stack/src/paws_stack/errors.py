"""Exceptions raised by paws_stack.

Every error carries a one-line remediation so the CLI can print exactly one clear
message and exit 2, with no traceback for failures we expect.

PawsStackError
├── SettingsError          a PAWS_* setting or .env value is malformed
├── EngineError            the container engine cannot be used
│   ├── EngineNotFound     no docker/podman client on PATH
│   ├── DaemonNotRunning   the client is there, the daemon does not answer
│   └── ComposeUnavailable compose v2 (>= 2.20) is missing or too old
├── InstallError           installing or starting the engine failed
├── HostCheckError         the host cannot run the profile
│   └── PortInUse          a host port we publish is taken
├── SecretsError           the secrets directory is missing, damaged or unreadable
├── ProjectBusy            another paws command holds the project's lock (--no-wait)
├── ForeignProject         the project name is in use by another checkout
├── ConfirmationRequired   a deletion was not confirmed (no TTY, no --yes)
├── ImageBuildError        building an image failed
│   └── AppBuildError      an app's host build step (Maven, npm) failed
├── AppsFileError          the apps file (PAWS_APPS_FILE) is missing or malformed
├── ComposeError           a compose command failed
├── BackupError            a backup or restore could not be taken or completed
│   └── BackupRefused      a backup is foreign, malformed, corrupt or of other major versions
├── StackNotHealthy        up timed out, or health could not be established
│   └── AppFailed          an app container exited or stayed unhealthy during up
└── ProbeError             health could not be checked at all
"""

from __future__ import annotations


class PawsStackError(Exception):
    """Base class: a message saying what is wrong and a remediation saying how to fix it."""

    def __init__(self, message: str, remediation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.remediation = remediation

    def __str__(self) -> str:
        if self.remediation:
            return f"{self.message}\n  fix: {self.remediation}"
        return self.message


class SettingsError(PawsStackError):
    """A PAWS_* environment variable or .env entry is malformed."""


class EngineError(PawsStackError):
    """The container engine cannot be used."""


class EngineNotFound(EngineError):
    """No docker or podman client is installed."""


class DaemonNotRunning(EngineError):
    """The engine client exists but its daemon does not answer."""


class ComposeUnavailable(EngineError):
    """Docker Compose v2 (at least 2.20) is not available."""


class InstallError(PawsStackError):
    """Installing or starting the engine failed."""


class HostCheckError(PawsStackError):
    """The host lacks what the chosen profile needs."""


class PortInUse(HostCheckError):
    """A host port the stack publishes is already bound."""

    def __init__(self, port: int, holder: str | None, setting: str) -> None:
        held_by = f" by {holder}" if holder else ""
        super().__init__(
            f"host port 127.0.0.1:{port} ({setting}) is already in use{held_by}",
            f"stop that process, or choose another port: export {setting}=<free port>",
        )
        self.port = port
        self.holder = holder
        self.setting = setting


class SecretsError(PawsStackError):
    """The secrets directory is missing, incomplete or unreadable."""


class ImageBuildError(PawsStackError):
    """Building an image failed."""


class AppBuildError(ImageBuildError):
    """An app's host build step failed; its full output is in a log file under .paws/."""


class AppsFileError(PawsStackError):
    """The apps file is missing, not YAML, or not a compose file paws can wire."""


class ComposeError(PawsStackError):
    """A docker compose command failed."""


class StackNotHealthy(PawsStackError):
    """The stack did not become healthy in time."""

    def __init__(self, message: str, remediation: str, unhealthy: dict[str, str]) -> None:
        super().__init__(message, remediation)
        self.unhealthy = unhealthy


class AppFailed(StackNotHealthy):
    """An application could not start; the infrastructure is left up."""


class ProbeError(PawsStackError):
    """Health could not be checked at all (engine gone, project not created)."""


class ProjectBusy(PawsStackError):
    """Another paws command holds this project's lock and we were told not to wait."""


class ForeignProject(PawsStackError):
    """Containers of this project name were created from another checkout."""


class ConfirmationRequired(PawsStackError):
    """A command that deletes data was neither confirmed on a terminal nor given --yes."""


class BackupError(PawsStackError):
    """A backup could not be taken, or a restore could not be completed."""


class BackupRefused(BackupError):
    """A backup cannot be restored here: foreign, malformed, corrupt or other major versions.

    Raised before anything of the stack is touched.
    """
