"""Read redis.conf and sentinel.conf: `directive arg...`, quoted args, includes."""

from __future__ import annotations

import shlex
from pathlib import Path

from ..collect.redact import redact_value
from ..collect.redis import SENTINEL_SETTINGS
from ..errors import ConfigFileError
from ..model import Setting
from ._files import read_text

# Directives that may repeat and add up (Redis joins them with spaces, as CONFIG GET shows).
_REPEATED = frozenset({"save", "client-output-buffer-limit", "bind"})
_SKIPPED = frozenset({"rename-command", "user", "loadmodule", "include"})  # not config keys


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    result = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise ConfigFileError(
                f"{path}:{number}: {exc}", "fix the quoting on that line",
                path=str(path), line=number,
            ) from None  # fmt: skip
        if words:
            result.append((number, words))
    return result


def _included(path: Path, words: list[str]) -> Path:
    target = Path(words[1])
    return target if target.is_absolute() else path.parent / target


def read_redis_conf(path: Path) -> dict[str, Setting]:
    """Settings by CONFIG GET name; repeated `save` lines add up, a later line wins otherwise."""
    settings: dict[str, Setting] = {}
    for number, words in _lines(path):
        key, value = words[0].lower(), " ".join(words[1:])
        if key == "include" and len(words) == 2 and _included(path, words).is_file():
            settings.update(read_redis_conf(_included(path, words)))
            continue
        if key in _SKIPPED:
            continue
        earlier = settings.get(key)
        if key in _REPEATED and earlier is not None and earlier.value and value:
            value = f"{earlier.value} {value}"
        origin = f"{path.name}:{number}"
        settings[key] = Setting(value=redact_value(key, value), origin=origin)
    return settings


def read_sentinel_conf(path: Path) -> tuple[dict[str, Setting], int | None]:
    """The first monitored master's settings as SENTINEL MASTER names them, and its quorum."""
    settings: dict[str, Setting] = {}
    master, quorum = None, None
    for number, words in _lines(path):
        origin = f"{path.name}:{number}"
        if words[0].lower() == "requirepass":
            settings["requirepass"] = Setting(
                value=redact_value("requirepass", words[-1]), origin=origin
            )
        if words[0].lower() != "sentinel" or len(words) < 3:
            continue
        option = words[1].lower()
        if option == "monitor" and len(words) >= 6 and master is None:
            master, quorum = words[2], int(words[5])
            settings["quorum"] = Setting(value=words[5], origin=origin)
        elif option in SENTINEL_SETTINGS and len(words) >= 4 and words[2] == master:
            settings[option] = Setting(value=words[3], origin=origin)
    settings.setdefault("requirepass", Setting(value=""))
    return settings, quorum
