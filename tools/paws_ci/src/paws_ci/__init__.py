"""paws_ci: run the repository's GitHub Actions workflows locally with act, offline."""

from __future__ import annotations

import importlib.metadata as _metadata

from .act import ActRun, JobResult, StepResult, build_argv, parse_events
from .errors import (
    ActFailed,
    EngineUnavailable,
    ImageBuildFailed,
    PawsCiError,
    RunInProgress,
    RunnerImageMissing,
    WorkflowError,
)
from .image import RunnerImage
from .parity import ParityReport, assess_parity
from .workflow import Job, Step, Workflow, load_workflow, load_workflows

try:
    __version__ = _metadata.version("paws-ci")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "ActFailed",
    "ActRun",
    "EngineUnavailable",
    "ImageBuildFailed",
    "Job",
    "JobResult",
    "ParityReport",
    "PawsCiError",
    "RunInProgress",
    "RunnerImage",
    "RunnerImageMissing",
    "Step",
    "StepResult",
    "Workflow",
    "WorkflowError",
    "__version__",
    "assess_parity",
    "build_argv",
    "load_workflow",
    "load_workflows",
    "parse_events",
]
