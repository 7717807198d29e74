"""Linux inotify limits: too few watches and the dev servers silently stop seeing edits."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc/sys/fs/inotify")
# next dev watches a few thousand paths; each process that watches (a Node server, the JVM,
# paws itself) takes an instance; every other watcher of the same user (editors, language
# servers) shares both limits. Below these, edits start going unseen.
MINIMUM = {"max_user_watches": 65536, "max_user_instances": 128}
RECOMMENDED = {"max_user_watches": 524288, "max_user_instances": 512}


def low_limits(proc: Path = PROC) -> dict[str, int]:
    """name -> current value, for each limit below paws' minimum (empty when fine or not Linux)."""
    low = {}
    for name, minimum in MINIMUM.items():
        try:
            value = int((proc / name).read_text().strip())
        except (OSError, ValueError):
            continue
        if value < minimum:
            low[name] = value
    return low


def fix_for(low: dict[str, int]) -> str:
    """The commands that raise the low limits, now and after a reboot.

    >>> fix_for({"max_user_instances": 64}).split(" && ")[0]
    'sudo sysctl -w fs.inotify.max_user_instances=512'
    """
    settings = [f"fs.inotify.{name}={RECOMMENDED[name]}" for name in low]
    now = " ".join(f"sudo sysctl -w {s}" for s in settings)
    persist = " && ".join(
        f"echo {s} | sudo tee -a /etc/sysctl.d/90-paws-inotify.conf" for s in settings
    )
    return f"{now} && {persist}"
