"""How long steps report what they are doing; the CLI decides how it looks."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress from long steps (setup, build, up)."""

    def message(self, text: str) -> None:
        """One step happened or started."""

    def services(self, states: dict[str, str]) -> None:
        """The current state of every service (healthy, starting, ...)."""

    def count(self, what: str, done: int, total: int | None) -> None:
        """A long step advanced: `done` of `total` (None when the tool does not say)."""


class SilentProgress:
    """For scripts that only want the result."""

    def message(self, text: str) -> None:
        return None

    def services(self, states: dict[str, str]) -> None:
        return None

    def count(self, what: str, done: int, total: int | None) -> None:
        return None
