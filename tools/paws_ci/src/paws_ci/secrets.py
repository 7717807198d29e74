"""Secrets for act: from a dotenv-style file or from a paws secrets directory; never printed.

By default jobs get the local-CI stack's own secrets (`.paws/ci/secrets`, generated here on the
first run, 0600), never the developer's stack secrets: a workflow from any branch can read every
secret it is given. `--use-stack-secrets` opts in to those.

Values are handed to act through its environment (`-s NAME` without a value), never argv, and
every line paws-ci prints passes through `masker(values)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_secret_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines (act's --secret-file format); comments, blanks and `export` allowed.

    >>> parse_secret_file('# c\\nexport A=1\\nB="two words"\\n\\nbad line\\n')
    {'A': '1', 'B': 'two words'}
    """
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip().removeprefix("export ").strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if NAME.match(key.strip()):
            values[key.strip()] = value
    return values


@dataclass(frozen=True)
class Secrets:
    """Where act gets its secrets, and the values to mask."""

    file: Path | None = None
    # The values themselves: never in a repr (tracebacks, logs, debuggers).
    by_env: dict[str, str] = field(default_factory=dict, repr=False)
    values: tuple[str, ...] = field(default=(), repr=False)


def load_secrets(secret_file: Path | None, default: Path) -> Secrets:
    """A user's --secret-file wins; else .paws/secrets (a file, or a directory of files)."""
    source = secret_file or default
    if source.is_file():
        values = parse_secret_file(source.read_text(encoding="utf-8", errors="replace"))
        return Secrets(file=source, values=tuple(v for v in values.values() if v))
    if secret_file is None and source.is_dir():
        by_env = {
            p.name.upper(): p.read_text(encoding="utf-8", errors="replace").strip()
            for p in sorted(source.iterdir())
            if p.is_file() and NAME.match(p.name)
        }
        return Secrets(by_env=by_env, values=tuple(v for v in by_env.values() if v))
    if secret_file is not None:
        from .errors import PawsCiError

        raise PawsCiError(f"secret file {secret_file} not found", "check the --secret-file path")
    return Secrets()


def ensure_ci_secrets(path: Path) -> list[str]:
    """Generate the CI stack's secrets when their directory does not exist yet.

    paws_stack's own store makes them (same names, alphabet, 0700 directory, 0600 files), so the
    job's `paws-stack` finds a complete set. An existing directory is left to `paws-stack setup`
    in the job, which knows whether volumes hold the old passwords.
    """
    if path.exists():
        return []
    try:
        from paws_stack.secrets import SecretStore
    except ImportError:
        from .errors import PawsCiError

        raise PawsCiError(
            "paws_stack is not installed, so the CI secrets cannot be generated",
            "run through `nox -s ci` (it installs libs/paws_stack), or pass --secret-file",
        ) from None
    created: list[str] = SecretStore(path).ensure(volumes_exist=False)
    return created


def masker(values: tuple[str, ...]) -> Callable[[str], str]:
    """A function that replaces every secret value in a line with ***.

    >>> masker(("hunter2",))("pw=hunter2!")
    'pw=***!'
    """
    ordered = sorted((v for v in values if len(v) >= 3), key=len, reverse=True)

    def mask(text: str) -> str:
        for value in ordered:
            text = text.replace(value, "***")
        return text

    return mask
