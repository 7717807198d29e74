"""Refresh the bundled staging snapshot's pg_settings from a live server of a newer release.

    paws-parity snapshot --endpoints .paws/endpoints.yaml --out /tmp/live.yaml
    python libs/paws_parity/scripts/refresh_staging.py /tmp/live.yaml

Which settings exist, and their unit, vartype, context and source, come from the live server
(PostgreSQL adds settings in minor releases). Values come from staging wherever staging has
the setting, so production-sized memory and production timings stay as they are; a setting
new in the live release takes the live server's value, which is its built-in default.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from paws_parity import normalise
from paws_parity.model import Setting, Snapshot
from paws_parity.snapshots import bundled_snapshot, read_snapshot, snapshot_to_text

STAGING = Path(str(resources.files("paws_parity") / "data" / "staging.yaml"))


def merged(live: dict[str, Setting], staging: dict[str, Setting]) -> dict[str, Setting]:
    """Live metadata and key set; staging's value wherever staging has the key."""
    result = {}
    for key, fresh in live.items():
        kept = staging.get(key)
        if kept is None:
            result[key] = fresh
            continue
        same = normalise.canonical("postgresql", key, kept, fresh) == normalise.canonical(
            "postgresql", key, fresh
        )
        source = fresh.source if same else "configuration file"
        result[key] = fresh.model_copy(update={"value": kept.value, "source": source})
    return result


def refresh(live: Snapshot, staging: Snapshot) -> tuple[Snapshot, list[str], list[str]]:
    """The refreshed staging snapshot, and the keys added and dropped."""
    mine, theirs = live.settings["postgresql"], staging.settings["postgresql"]
    settings = {**staging.settings, "postgresql": merged(mine, theirs)}
    added, dropped = sorted(mine.keys() - theirs.keys()), sorted(theirs.keys() - mine.keys())
    return staging.model_copy(update={"settings": settings}), added, dropped


def header(text: str, release: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith(("%", "#", "---")):
            break
        lines.append(line)
    return "\n".join(lines).replace("PostgreSQL 15.18", f"PostgreSQL {release}") + "\n"


def main() -> int:
    live = read_snapshot(sys.argv[1])
    fresh, added, dropped = refresh(live, bundled_snapshot("staging"))
    release = str(live.settings["postgresql"]["server_version"].value).split()[0]
    body = snapshot_to_text(fresh)
    body = "\n".join(line for line in body.splitlines() if line not in ("%YAML 1.2", "---"))
    STAGING.write_text(header(STAGING.read_text("utf-8"), release) + body + "\n", "utf-8")
    print(
        f"{STAGING}: pg_settings of {release}; added {added or 'none'}; dropped {dropped or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
