"""Installing Docker Compose v2 on Debian and Ubuntu: the host's apt first, else Debian 13's.

Podman uses it too: paws drives every engine's API with Compose v2 (podman.py says why).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import _debian
from .engine import MIN_COMPOSE, parse_version
from .errors import InstallError

if TYPE_CHECKING:
    from .install import Context

# Tried in order through the host's apt; each must offer at least MIN_COMPOSE, which skips
# Debian 12's own docker-compose (the dead Python v1, 1.29).
COMPOSE_APT_PACKAGES = (
    "docker-compose-plugin",  # Docker's own repository, when the admin configured it
    "docker-compose-v2",  # Ubuntu
    "docker-compose",  # Debian 13 and later
)
# Debian 13's docker-compose is a static Go binary needing only libc6 >= 2.34: it installs on 12.
COMPOSE_FALLBACK_SUITE = "trixie"


def parse_apt_candidate(policy_output: str) -> str | None:
    """The `Candidate:` version of `apt-cache policy` output; None for "(none)" or no package.

    >>> parse_apt_candidate("docker-compose:\\n  Installed: (none)\\n  Candidate: 1.29.2-3\\n")
    '1.29.2-3'
    """
    for line in policy_output.splitlines():
        key, _, value = line.strip().partition(":")
        if key == "Candidate":
            value = value.strip()
            return None if value in ("", "(none)") else value
    return None


def pick_compose_package(candidates: dict[str, str | None]) -> str | None:
    """First package of COMPOSE_APT_PACKAGES whose candidate version is at least MIN_COMPOSE."""
    for package in COMPOSE_APT_PACKAGES:
        version = parse_version(candidates.get(package))
        if version is not None and version >= MIN_COMPOSE:
            return package
    return None


def _apt_candidates(ctx: Context) -> dict[str, str | None]:
    result = ctx.run(["apt-cache", "policy", *COMPOSE_APT_PACKAGES], 60.0)
    # apt-cache prints one "name:" block per known package; unknown ones are simply absent.
    blocks: dict[str, str | None] = {}
    current: list[str] = []
    for line in [*result.stdout.splitlines(), "end:"]:
        if line and not line[0].isspace() and line.endswith(":"):
            if current:
                blocks[current[0].rstrip(":")] = parse_apt_candidate("\n".join(current))
            current = [line]
        elif current:
            current.append(line)
    return blocks


@contextlib.contextmanager
def _download_dir(ctx: Context) -> Iterator[Path]:
    if ctx.work_dir is not None:
        yield ctx.work_dir / "debs"
        return
    with tempfile.TemporaryDirectory(prefix="paws-debs-") as tmp:
        yield Path(tmp)


def _install_compose_from_suite(ctx: Context) -> None:
    suite = COMPOSE_FALLBACK_SUITE
    ctx.log(f"setup: downloading docker-compose from Debian {suite}")
    with _download_dir(ctx) as dest:
        debs = _debian.download_debs(["docker-compose"], suite, dest)
        ctx.log(f"setup: installing {debs[0].name}")
        # apt-get (not dpkg -i) installs a local .deb too, and refuses cleanly instead of
        # leaving a half-configured package when a dependency cannot be met.
        ctx.as_root(["apt-get", "install", "-y", "-q", str(debs[0])], "installing docker-compose")


def install_compose(ctx: Context) -> None:
    """Install compose v2 from the host's apt when it has one, else Debian 13's on Debian."""
    ctx.apt_update()
    package = pick_compose_package(_apt_candidates(ctx))
    if package is not None:
        ctx.log(f"setup: apt-get install {package}")
        ctx.as_root(["apt-get", "install", "-y", "-q", package], f"installing {package}")
    elif ctx.host.platform.kind == "debian":
        _install_compose_from_suite(ctx)
    else:
        raise InstallError(
            f"no apt package offers Docker Compose >= {MIN_COMPOSE} "
            f"(tried {', '.join(COMPOSE_APT_PACKAGES)})",
            "install the compose plugin from Docker's repository: "
            "https://docs.docker.com/compose/install/linux/",
        )
