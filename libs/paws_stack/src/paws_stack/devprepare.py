"""Before dev mode: can the engine mount the sources, and are their dependencies installed?"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from ._appbuild import _expand
from .devmode import DevSpec
from .errors import AppBuildError, PawsStackError

# A Windows drive seen from WSL2 (/mnt/c/...): bind mounts work, inotify across 9p does not.
WINDOWS_DRIVE = re.compile(r"^/mnt/[a-z](/|$)")


class SourcesNotMountable(PawsStackError):
    """The engine cannot bind-mount an app's sources, or would not see edits in them."""


def require_mountable(context: Path, proc_version: Path = Path("/proc/version")) -> None:
    """Refuse sources the engine cannot mount or watch, with the fix (nothing created yet)."""
    if WINDOWS_DRIVE.match(str(context)) and _is_wsl(proc_version):
        raise SourcesNotMountable(
            f"the app sources {context} are on a Windows drive: inside WSL2 the engine mounts "
            "them over 9p, where inotify sees no edits and every read is slow",
            "clone the repository inside WSL2 (e.g. ~/src/paws), or set PAWS_DEV_POLLING=true "
            "and accept its cost (docs/dev-loop.md#polling)",
        )
    if not context.is_dir():
        raise SourcesNotMountable(
            f"the app sources {context} do not exist or are not a directory",
            "check the apps file's build.context (relative to the apps file)",
        )
    if not os.access(context, os.R_OK | os.X_OK):
        raise SourcesNotMountable(
            f"the app sources {context} are not readable by this user",
            f"make them readable (`chmod -R u+rX {context}`) or run as their owner",
        )


def _is_wsl(proc_version: Path) -> bool:
    try:
        return "microsoft" in proc_version.read_text().lower()
    except OSError:
        return False


def prepare(
    name: str,
    context: Path,
    spec: DevSpec,
    state_dir: Path,
    report: Callable[[str], None],
    force: bool = False,
) -> None:
    """Run the dev block's prepare steps (skipping those whose `creates` exists, unless force)."""
    say = report
    log_path = state_dir / "logs" / f"dev-{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for step in spec.prepare:
        if step.creates and (context / step.creates).exists() and not force:
            continue
        started = time.monotonic()
        say(f"{name}: {' '.join(step.run)}")
        with log_path.open("a", encoding="utf-8") as log:
            argv = _expand(step.run, state_dir)
            log.write(f"$ {' '.join(argv)}\n")
            log.flush()
            result = subprocess.run(
                argv, cwd=context, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if result.returncode != 0:
            raise AppBuildError(
                f"preparing {name} for dev mode failed at `{' '.join(step.run)}` "
                f"(exit {result.returncode})",
                f"the output is in {log_path}; fix the cause, then run `paws-stack dev` again "
                "(a running `dev` retries when the file is saved again)",
            )
        say(f"{name}: done in {time.monotonic() - started:.0f} s")
