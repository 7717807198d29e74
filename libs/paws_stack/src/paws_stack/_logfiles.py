"""A trace search's fast path: the engine's own json-file logs, read from disk where this
process may read them (a local engine, as root), and searched as bytes.

The engine's logs API decodes and frames every entry of every member, however few the caller
keeps: over a stack that served 100,000 requests (260,000 lines) that is 3 to 5 s of the
daemon's CPU on 2 cores (docs/performance.md). A trace id is in a handful of those lines, and
searching the files' bytes finds them in milliseconds. Anything else reads through the API as
before: a remote engine or Docker Desktop's VM (the path is not on this host), another log
driver, compressed rotated files, or no permission to read them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def json_log_files(inspect: dict[str, Any]) -> list[Path] | None:
    """A container's json-file logs, oldest first, when all of them can be read here."""
    if inspect.get("HostConfig", {}).get("LogConfig", {}).get("Type") != "json-file":
        return None
    current = Path(inspect.get("LogPath") or "/nonexistent")
    try:
        rotated = list(current.parent.glob(current.name + ".*")) if current.is_file() else None
    except OSError:
        return None
    # Rotation keeps `<name>.1` (newest) .. `<name>.N`; compressed ones (`.gz`) are not searched.
    if rotated is None or any(not f.name.rsplit(".", 1)[-1].isdigit() for f in rotated):
        return None
    files = [*sorted(rotated, key=lambda f: -int(f.name.rsplit(".", 1)[-1])), current]
    return files if all(os.access(f, os.R_OK) for f in files) else None


def lines_containing(data: bytes, needle: bytes) -> Iterator[str]:
    """The lines of `data` that contain `needle`, cut out around each hit: the lines between
    hits are never split out or decoded.

    >>> list(lines_containing(b"a x\\nb\\nc x", b"x"))
    ['a x', 'c x']
    """
    hit = data.find(needle)
    while hit != -1:
        start = data.rfind(b"\n", 0, hit) + 1
        end = data.find(b"\n", hit)
        end = len(data) if end == -1 else end
        yield data[start:end].decode("utf-8", errors="replace")
        hit = data.find(needle, end)


def entries_containing(files: list[Path], needle: str) -> Iterator[str]:
    """'<engine time> <text>' of each entry holding `needle`, as the logs API gives lines.

    An entry the engine is writing as it is read is not whole JSON yet: it is skipped (it came
    after the search began). The engine splits lines over 16 KiB into several entries; a hit
    gives the part that holds it.
    """
    for file in files:
        for raw in lines_containing(file.read_bytes(), needle.encode()):
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            yield f"{entry.get('time', '')} {entry.get('log', '')}"
