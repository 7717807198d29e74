"""The exceptions of paws_chaos; each carries the line that tells a user what to do.

PawsChaosError                 base: message + remediation
├── CouldNotRun                exit 2: nothing was injected
│   ├── ScenarioError          unknown scenario, invalid YAML
│   ├── FaultUnsupported       the host cannot inject this fault (e.g. no sch_netem)
│   ├── FaultNotInjected       the engine refused the fault (e.g. the cgroup freezer failed)
│   └── StackUnavailable       the stack is not running / the engine does not answer
└── ExperimentFailed           exit 1
    ├── NotSteadyState         the stack was unhealthy before the experiment: refused
    └── RollbackFailed         an undo did not work: the report names what is broken
"""

from __future__ import annotations


class PawsChaosError(Exception):
    """Base: every error names its remediation."""

    exit_code = 2

    def __init__(self, message: str, remediation: str) -> None:
        super().__init__(message)
        self.message = message
        self.remediation = remediation

    def __str__(self) -> str:
        return f"{self.message}\nfix: {self.remediation}"


class CouldNotRun(PawsChaosError):
    """The experiment did not start: nothing was injected."""


class ScenarioError(CouldNotRun):
    """A scenario is unknown or its YAML is invalid."""


class FaultUnsupported(CouldNotRun):
    """This host cannot inject the fault; refusing rather than pretending."""


class FaultNotInjected(CouldNotRun):
    """The engine refused the fault; whatever part of it took has been undone."""


class StackUnavailable(CouldNotRun):
    """The stack or the engine cannot be reached."""


class ExperimentFailed(PawsChaosError):
    """The experiment ran (or was refused) and the verdict is a failure."""

    exit_code = 1


class NotSteadyState(ExperimentFailed):
    """The steady-state check failed before anything was injected."""

    def __init__(self, message: str, remediation: str, problems: list[str]) -> None:
        super().__init__(message, remediation)
        self.problems = problems


class RollbackFailed(ExperimentFailed):
    """An undo raised: the stack may still be broken."""
