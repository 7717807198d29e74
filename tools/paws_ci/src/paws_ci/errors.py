"""The errors paws-ci reports; each carries the one line that says how to fix it.

PawsCiError
├── EngineUnavailable      no container engine answers
├── RunnerImageMissing     the runner image (or its base) is not built
├── ImageBuildFailed       building the runner image failed
├── WorkflowError          a workflow file does not parse (names file and line)
├── RunInProgress          another local CI run holds the host (names it)
└── ActFailed              act itself failed before or outside any job (its last lines)
"""

from __future__ import annotations


class PawsCiError(Exception):
    """Base of every paws-ci error: a message and a remediation."""

    def __init__(self, message: str, remediation: str) -> None:
        super().__init__(message)
        self.message = message
        self.remediation = remediation

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.remediation}"


class EngineUnavailable(PawsCiError):
    """No docker daemon answers."""


class RunnerImageMissing(PawsCiError):
    """The runner image is not built and building it was not allowed."""


class ImageBuildFailed(PawsCiError):
    """docker build of the runner image failed."""


class WorkflowError(PawsCiError):
    """A workflow file is not valid YAML or not a workflow."""


class RunInProgress(PawsCiError):
    """Another local CI run is going on on this host (act's container names would collide)."""


class ActFailed(PawsCiError):
    """act exited with an error that no job result explains."""
