"""What an interrupted chaos experiment left behind, seen from paws_stack.

paws_chaos writes a fault journal before it injects anything and removes it after the undo.
paws_stack never imports paws_chaos: it reads the journal as a file, by this contract
(docs/chaos.md, "The fault journal"):

- path: `<project dir>/.paws/chaos/<compose project>/active.json`, mode 0600, replaced
  atomically on every change;
- content: one JSON object with `format` (1), `project`, `pid` and `pid_start` (the writer's
  process and its start time in clock ticks, from /proc), `scenario`, and `faults` and
  `workloads`: lists of objects each with a human-readable `what`.

A journal whose writer is still alive belongs to a running experiment; one whose writer is gone
is the trace of an interrupted one. A paused member means a fault outlived its experiment even
without a journal (an older paws, or a hand-made `docker pause`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .probes import Member

JOURNAL_FORMAT = 1
RECOVER_COMMAND = "nox -s simulate -- --recover"


def journal_path(state_path: Path, project: str) -> Path:
    """Where the journal of one compose project lives (one per project: never shared)."""
    return state_path / "chaos" / project / "active.json"


def process_start(pid: int) -> int | None:
    """The start time of `pid` in clock ticks since boot (None: no such process, or no /proc).

    >>> import os
    >>> process_start(os.getpid()) == process_start(os.getpid()) is not None
    True
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat.rsplit(")", 1)[-1].split()
    return int(fields[19]) if len(fields) > 19 else None


def process_alive(pid: int, started: int | None) -> bool:
    """Whether the journal's writer still runs: same pid *and* same start time (no reuse)."""
    if pid <= 0:
        return False
    now = process_start(pid)
    if now is None:
        return False
    return started is None or now == started


def read_journal(path: Path) -> dict[str, Any] | None:
    """The journal's content; None when there is none. A damaged one is reported, not hidden."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        return {"damaged": f"cannot read {path}: {error}"}
    try:
        data = json.loads(text)
    except ValueError as error:
        return {"damaged": f"{path} is not JSON: {error}"}
    return data if isinstance(data, dict) else {"damaged": f"{path} is not a JSON object"}


@dataclass(frozen=True)
class Leftovers:
    """Faults a past experiment may have left in place, and whether one is running now."""

    journal: Path | None = None
    faults: list[str] = field(default_factory=list)
    running_pid: int | None = None
    paused: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.journal or self.paused) and self.running_pid is None

    def problems(self) -> list[str]:
        """One line per finding, for `health` and `up`."""
        lines = []
        if self.running_pid is not None:
            lines.append(f"a chaos experiment is running (pid {self.running_pid})")
            return lines
        if self.journal:
            what = ", ".join(self.faults) or "nothing listed"
            lines.append(f"an interrupted chaos experiment left faults in place: {what}")
        if self.paused:
            lines.append(f"paused member(s): {', '.join(self.paused)}")
        return lines


def find_leftovers(state_path: Path, project: str, members: list[Member]) -> Leftovers:
    """Read the project's journal and the members' states (pure apart from the file read)."""
    path = journal_path(state_path, project)
    paused = sorted(m.service for m in members if m.state == "paused")
    data = read_journal(path)
    if data is None:
        return Leftovers(paused=paused)
    if "damaged" in data:
        return Leftovers(journal=path, faults=[str(data["damaged"])], paused=paused)
    pid = int(data.get("pid") or 0)
    started = data.get("pid_start")
    if data.get("project") == project and process_alive(pid, started):
        return Leftovers(journal=path, running_pid=pid, paused=paused)
    entries = [*data.get("faults", []), *data.get("workloads", [])]
    faults = [str(e.get("what", e)) if isinstance(e, dict) else str(e) for e in entries]
    return Leftovers(journal=path, faults=faults, paused=paused)
