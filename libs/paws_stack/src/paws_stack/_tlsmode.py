"""TLS mode (docs/tls.md) for a Stack: its certificates, their compose wiring, and the mode a
project was started in, which its etcd members and volumes keep."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import tls
from .certs import identities
from .errors import SettingsError
from .members import Inventory

if TYPE_CHECKING:
    from .stack import Stack


def wiring(stack: Stack) -> Path:
    """The compose file that hands each service its certificate (the CA checked complete)."""
    data_apps = {a.name: a.tls_environment for a in stack.apps.apps if a.data} if stack.apps else {}
    stack.certificates.require_complete(identities(stack.settings.bind_address))
    document = tls.wiring(stack.topology, stack.certificates, data_apps)
    target = stack.settings.state_path / "compose" / f"{stack.project}-tls.yaml"
    return tls.write_wiring(document, target)


def ensure_certificates(stack: Stack) -> None:
    """Make the CA and the certificates that are missing, and say how many."""
    made = stack.certificates.ensure(identities(stack.settings.bind_address))
    if made:
        stack.progress.message(
            f"TLS mode: made {len(made)} certificate(s) in {stack.certificates.path}"
        )


def require_mode(stack: Stack, current: Inventory) -> None:
    """Refuse to switch a stack between TLS and plain text in place (etcd keeps its URLs)."""
    marker = mode_marker(stack)
    recorded = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    running = ("tls" if current.tls else "plain") if current.members else None
    found = running or (recorded if current.volumes else None)
    wanted = "tls" if stack.settings.tls else "plain"
    if found and found != wanted:
        raise SettingsError(
            f"the stack (project {stack.project}) was started "
            f"{'in TLS mode' if found == 'tls' else 'without TLS'}; its etcd members and "
            f"volumes keep that mode",
            (
                "run `paws-stack up --tls` (or set PAWS_TLS=on)"
                if found == "tls"
                else "run `paws-stack up` without --tls (and PAWS_TLS unset)"
            )
            + ", or switch with `paws-stack down --volumes` first (this deletes the data)",
        )


def mode_marker(stack: Stack) -> Path:
    """The file that remembers the mode while only the volumes exist."""
    return stack.settings.state_path / "compose" / f"{stack.project}.mode"


def note_mode(stack: Stack) -> None:
    marker = mode_marker(stack)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("tls\n" if stack.settings.tls else "plain\n", encoding="utf-8")
