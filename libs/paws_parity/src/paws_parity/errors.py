"""Exceptions raised by paws_parity.

Every error carries a one-line remediation; the CLI prints it and exits 2 ("could not run").

ParityError
├── SettingsError      a PAWS_PARITY_* setting or .env value is malformed
├── InputError         a file we read is malformed (names the file, line and field)
│   ├── SnapshotError  a snapshot file
│   ├── ConfigFileError a configuration file given to import
│   ├── RulesError     a rules file
│   ├── WaiverError    a waivers file
│   └── EndpointsError an endpoints file
├── TargetError        --target names nothing we know how to load
└── CollectorError     a live collector failed (names the component and why)
"""

from __future__ import annotations


class ParityError(Exception):
    """Base class: a message saying what is wrong and a remediation saying how to fix it."""

    def __init__(self, message: str, remediation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.remediation = remediation

    def __str__(self) -> str:
        if self.remediation:
            return f"{self.message}\n  fix: {self.remediation}"
        return self.message


class SettingsError(ParityError):
    """A PAWS_PARITY_* environment variable or .env entry is malformed."""


class InputError(ParityError):
    """A file we read is malformed; the message names the file, the line and the field."""

    def __init__(
        self,
        message: str,
        remediation: str = "",
        *,
        path: str = "",
        line: int | None = None,
        field: str = "",
    ) -> None:
        super().__init__(message, remediation)
        self.path = path
        self.line = line
        self.field = field


class SnapshotError(InputError):
    """A snapshot file is malformed."""


class ConfigFileError(InputError):
    """A configuration file given to `import` cannot be read as that kind of file."""


class RulesError(InputError):
    """A rules file is malformed."""


class WaiverError(InputError):
    """A waivers file is malformed."""


class EndpointsError(InputError):
    """An endpoints file is malformed."""


class TargetError(ParityError):
    """The --target value names nothing we can load."""


class CollectorError(ParityError):
    """A live collector failed; `component` names which one."""

    def __init__(self, component: str, why: str, remediation: str = "") -> None:
        super().__init__(f"could not collect {component}: {why}", remediation)
        self.component = component
        self.why = why
