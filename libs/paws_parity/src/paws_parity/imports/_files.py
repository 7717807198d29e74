"""Reading an imported file: bounded like every other input, errors that name the file."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigFileError
from ..limits import TooLarge, check_size


def read_text(path: Path) -> str:
    """The text of `path`, refused beyond the input size limit."""
    try:
        check_size(path.stat().st_size)
        return path.read_text("utf-8")
    except TooLarge as exc:
        raise ConfigFileError(f"{path}: too large to read: {exc}", "give the file itself",
                              path=str(path)) from None  # fmt: skip
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"cannot read {path}: {exc}", "check the path and permissions",
                              path=str(path)) from None  # fmt: skip
