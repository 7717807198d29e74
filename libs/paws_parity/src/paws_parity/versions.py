"""Version policy: how far apart two version strings are (major, minor, patch or equal)."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

_EPOCH = re.compile(r"^\d+:")  # Debian epochs, as in 5:7.0.15-1
_RELEASE = re.compile(r"\d+(?:\.\d+)*")


def release(text: str) -> tuple[int, ...] | None:
    """The numeric release of a version string: `'15.18 (Debian 15.18-0+deb12u1)'` -> (15, 18)."""
    match = _RELEASE.search(_EPOCH.sub("", text.strip()))
    if match is None:
        return None
    try:
        return Version(match.group(0)).release
    except InvalidVersion:
        return None


# Components whose version is `major.patch`: since PostgreSQL 10, 15.18 -> 15.20 is a
# bug-fix ("minor") release of major 15, the same level as Redis 7.0.11 -> 7.0.15.
TWO_PART = frozenset({"postgresql"})


def version_change(local: str, target: str, component: str = "") -> str:
    """`''` when equal, else the widest part that differs: `major`, `minor` or `patch`.

    A shorter version names a series: `15` matches any `15.x`, `7.0` any `7.0.x`.
    Versions we cannot parse count as `major` unless the strings are identical.
    PostgreSQL's second number is its patch level: `15.18` and `15.20` differ by `patch`.
    """
    a, b = release(local), release(target)
    if component in TWO_PART and a is not None and b is not None:
        a, b = (a[0], 0, *a[1:]), (b[0], 0, *b[1:])
    if a is None or b is None:
        return "" if local.strip() == target.strip() else "major"
    for index, name in enumerate(("major", "minor", "patch")):
        if index >= len(a) or index >= len(b):
            return ""
        if a[index] != b[index]:
            return name
    shared = min(len(a), len(b))
    return "" if a[:shared] == b[:shared] else "patch"
