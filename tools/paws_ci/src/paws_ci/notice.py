"""The trust notice: what a local CI job can reach, said plainly once per checkout.

act mounts the engine's socket into every job (whoever drives the engine is root on the host)
and binds the working tree read-write. That is what lets a job start the stack, and it means a
workflow must be trusted like a script you run as root.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

TRUST_NOTICE = (
    "local CI jobs drive this machine's container engine (its socket is mounted into every "
    "job, which is root-equivalent on the host) and get the working tree read-write. "
    "Run only workflows you would run as root yourself. Jobs get CI-only secrets from "
    "{ci_secrets}, not your stack's (--use-stack-secrets passes those). "
    "See docs/local-ci.md, 'What a job can reach'."
)
MARKER = "trust-notice-shown"


def show_once(state_dir: Path, ci_secrets: Path, say: Callable[[str], None]) -> bool:
    """Say the notice unless this checkout has seen it; return whether it was said."""
    marker = state_dir / MARKER
    if marker.is_file():
        return False
    say("note: " + TRUST_NOTICE.format(ci_secrets=ci_secrets))
    state_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text("shown\n", encoding="utf-8")
    return True
