"""Redaction at the source: secrets never leave the collector."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "<redacted>"
# A key that holds a secret: ends in password/pass/secret/token (password_encryption does not).
SECRET_KEY = re.compile(
    r"(?:password|passwd|pass|secret|token|credentials?|private[-_]?key|masterauth)$", re.I
)
# Names the pattern catches that hold no secret (etcd's cluster token only keeps two clusters
# apart; it is in every member's environment). Redaction is the same on both sides of a comparison.
NOT_SECRET = frozenset({"initial-cluster-token", "ETCD_INITIAL_CLUSTER_TOKEN"})
_CONNINFO_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)
# user:password@ with the user optional (`redis://:pw@host`, paws' own format); the password
# runs to the last @ before the path, so one holding an unescaped @ is redacted whole.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)([^\s/]+)(@)")


def is_secret_key(key: str) -> bool:
    """Whether a setting or variable name names a secret."""
    return key not in NOT_SECRET and bool(SECRET_KEY.search(key))


def redact_value(key: str, value: Any) -> Any:
    """A secret's value becomes `<redacted>` (empty stays empty: whether it is set matters)."""
    if is_secret_key(key):
        return "" if value in ("", None) else REDACTED
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_text(text: str) -> str:
    """Passwords inside conninfo strings and URLs.

    >>> redact_text("redis://:s3cret@h:6379/0 postgresql://app:p@ss@h/app")
    'redis://:<redacted>@h:6379/0 postgresql://app:<redacted>@h/app'
    """
    text = _CONNINFO_PASSWORD.sub(rf"\g<1>{REDACTED}", text)
    return _URL_PASSWORD.sub(rf"\g<1>{REDACTED}\g<3>", text)


def redact_tree(node: Any, key: str = "") -> Any:
    """Redact a nested dict/list (Patroni's DCS configuration, say) by key name."""
    if isinstance(node, dict):
        return {k: redact_tree(v, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [redact_tree(item, key) for item in node]
    return redact_value(key, node)
