"""Parse an HAProxy configuration file into flat settings, secrets redacted.

Keys are `<section>.<directive>`: `defaults.timeout connect`, `listen postgres_primary.balance`.
Server lines become `<section>.servers` (how many) and `<section>.server-options` (the
distinct port-and-options strings), so member names and addresses do not count as drift.
"""

from __future__ import annotations

import re

from .redact import REDACTED

_SECTIONS = ("global", "defaults", "frontend", "backend", "listen", "resolvers", "userlist",
             "peers", "mailers", "program", "http-errors", "cache", "ring")  # fmt: skip
_TWO_WORD = ("timeout", "option", "no", "stats", "http-check", "tcp-check", "hold", "tune",
             "http-request", "http-response", "tcp-request", "tcp-response")  # fmt: skip
_SECRET_LINE = re.compile(r"(AUTH\\?\s+)(\S+?)((?:\\r\\n)?)$|(password|insecure-password)\s+\S+")


def _redact(line: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(4):
            return f"{match.group(4)} {REDACTED}"
        return f"{match.group(1)}{REDACTED}{match.group(3)}"

    return _SECRET_LINE.sub(replace, line)


def _directive(words: list[str]) -> tuple[str, str]:
    count = 2 if words[0] in _TWO_WORD and len(words) > 1 else 1
    if words[0] == "no" and len(words) > 2:
        count = 3
    return " ".join(words[:count]), " ".join(words[count:])


def _add(settings: dict[str, str | list[str]], key: str, value: str) -> None:
    current = settings.get(key)
    if current is None:
        settings[key] = value if value else "on"
    elif isinstance(current, list):
        current.append(value)
    else:
        settings[key] = [current, value]


def parse_haproxy(text: str, lines: dict[str, int] | None = None) -> dict[str, str | list[str]]:
    """Flat settings from an HAProxy config; repeated directives keep their order as a list.

    `lines`, when given, receives the line number where each key is first set.
    """
    settings: dict[str, str | list[str]] = {}
    servers: dict[str, list[str]] = {}
    section = ""
    first_line = {} if lines is None else lines
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _redact(raw.split(" #", 1)[0].strip()) if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        words = line.split()
        if words[0] in _SECTIONS:
            section = " ".join(words[:2])
            continue
        if words[0] == "server" and len(words) >= 3:
            port = words[2].rsplit(":", 1)[-1] if ":" in words[2] else ""
            servers.setdefault(section, []).append(" ".join([f":{port}", *words[3:]]))
            for key in (f"{section}.servers", f"{section}.server-options"):
                first_line.setdefault(key, number)
            continue
        directive, value = _directive(words)
        first_line.setdefault(f"{section}.{directive}", number)
        _add(settings, f"{section}.{directive}", value)
    for section_name, options in servers.items():
        settings[f"{section_name}.servers"] = str(len(options))
        settings[f"{section_name}.server-options"] = sorted(set(options))
    return settings
