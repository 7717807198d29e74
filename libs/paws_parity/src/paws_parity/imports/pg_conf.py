"""Read a postgresql.conf as the server does: `name = value`, quoting, includes, last wins."""

from __future__ import annotations

import re
from pathlib import Path

from ..collect.redact import redact_value
from ..errors import ConfigFileError
from ..model import Setting
from ._files import read_text

# name [=] value [# comment]; a value is a quoted string ('' or \' inside) or one bare word.
_LINE = re.compile(
    r"""^\s*(?P<name>[A-Za-z_][\w.\-]*)\s*=?\s*
        (?P<value>'(?:[^'\\]|''|\\.)*'|[^\s#']*)\s*(?:\#.*)?$""",
    re.X,
)
_INCLUDES = ("include", "include_if_exists", "include_dir")
MAX_DEPTH = 10  # the server's own limit on nested includes


def _unquote(text: str) -> str:
    if not text.startswith("'"):
        return text
    body = text[1:-1].replace("''", "'")
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _fail(path: Path, number: int, why: str) -> ConfigFileError:
    return ConfigFileError(
        f"{path}:{number}: {why}",
        "fix that line of the postgresql.conf (the server would refuse it too)",
        path=str(path),
        line=number,
    )


def _include(path: Path, number: int, kind: str, value: str, depth: int) -> list[Path]:
    target = Path(value) if Path(value).is_absolute() else path.parent / value
    if kind == "include_dir":
        return sorted(p for p in target.glob("*.conf") if not p.name.startswith("."))
    if target.is_file():
        return [target]
    if kind == "include_if_exists":
        return []
    raise _fail(path, number, f"included file {target} does not exist")


def read_pg_conf(path: Path, depth: int = 0) -> dict[str, Setting]:
    """Every setting of `path` and its includes; a later line wins, as in the server."""
    if depth > MAX_DEPTH:
        raise _fail(path, 0, f"includes nested deeper than {MAX_DEPTH}")
    settings: dict[str, Setting] = {}
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise _fail(path, number, "not a `name = value` line")
        name, value = match.group("name"), _unquote(match.group("value"))
        if name in _INCLUDES:
            for included in _include(path, number, name, value, depth):
                settings.update(read_pg_conf(included, depth + 1))
            continue
        origin = f"{path.name}:{number}"
        settings[name] = Setting(value=redact_value(name, value), origin=origin)
    return settings
