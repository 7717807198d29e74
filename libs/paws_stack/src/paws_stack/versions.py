"""Pinned versions: compose/versions.toml, the one place they are written down."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ImageBuildError

# name[:tag]@sha256:<64 hex>: a digest names one image for ever; a tag can be moved under us.
DIGEST_REFERENCE = re.compile(r"^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$")
DIGEST_FIX = (
    "pin it by digest in compose/versions.toml, e.g. registry_base = "
    '"debian:12-slim@sha256:<digest>"; get the digest with '
    "`docker buildx imagetools inspect debian:12-slim` (the Digest: line), or after a "
    "`docker pull debian:12-slim` with `docker inspect --format '{{index .RepoDigests 0}}' "
    "debian:12-slim`"
)


def require_digest(reference: str) -> str:
    """An image reference pinned by digest, or an ImageBuildError saying how to pin it.

    >>> require_digest("debian:12-slim@sha256:" + "0" * 64).endswith("0" * 64)
    True
    >>> require_digest("debian:12-slim")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    paws_stack.errors.ImageBuildError: registry_base 'debian:12-slim' is a mutable tag, ...
    """
    if not DIGEST_REFERENCE.match(reference):
        raise ImageBuildError(
            f"registry_base {reference!r} is a mutable tag, not a digest", DIGEST_FIX
        )
    return reference


@dataclass(frozen=True)
class Pins:
    """What compose/versions.toml pins."""

    base_suite: str
    backports_suite: str
    registry_base: str
    components: dict[str, str]  # component -> Debian version prefix, e.g. "postgresql": "15."
    packages: tuple[str, ...]
    backport_packages: tuple[str, ...]
    wheels: dict[str, str] = field(default_factory=dict)  # file name -> sha256


def load_pins(compose_dir: Path) -> Pins:
    """Read compose/versions.toml; a malformed file is an ImageBuildError naming it."""
    path = compose_dir / "versions.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Pins(
            base_suite=data["debian"]["base_suite"],
            backports_suite=data["debian"]["backports_suite"],
            registry_base=require_digest(data["debian"]["registry_base"]),
            components={name: c["version"] for name, c in data["components"].items()},
            packages=tuple(data["image"]["packages"]),
            backport_packages=tuple(data["image"]["backport_packages"]),
            wheels=dict(data["image"].get("wheels", {})),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ImageBuildError(
            f"cannot read pinned versions from {path}: {exc}",
            "restore compose/versions.toml from git (`git checkout compose/versions.toml`)",
        ) from None


def parse_manifest(text: str) -> dict[str, str]:
    """Parse an image's /etc/paws-versions (`name=version` lines).

    >>> parse_manifest("postgresql=15.20-0+deb12u1\\netcd=3.5.16\\n")
    {'postgresql': '15.20-0+deb12u1', 'etcd': '3.5.16'}
    """
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {name.strip(): version.strip() for name, version in pairs}


def mismatches(pins: Pins, installed: dict[str, str]) -> list[str]:
    """Components whose installed version does not start with the pinned prefix.

    >>> pins = Pins("bookworm", "trixie", "debian:12-slim", {"redis": "5:7.0."}, (), ())
    >>> mismatches(pins, {"redis": "5:7.2.4-1"})
    ['redis: pinned 5:7.0.*, installed 5:7.2.4-1']
    """
    found = []
    for name, prefix in pins.components.items():
        version = installed.get(name, "missing")
        if not version.startswith(prefix):
            found.append(f"{name}: pinned {prefix}*, installed {version}")
    return found
