"""Python wheels pinned in compose/versions.toml: fetched once from PyPI, checked by sha256.

They land in compose/.wheels/, inside the build context of both image paths. Air-gapped users
copy the files there by hand; a file whose hash does not match is never used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from .errors import ImageBuildError

SIMPLE_INDEX = "https://pypi.org/simple"
JSON_SIMPLE = "application/vnd.pypi.simple.v1+json"


def wheel_dir(compose_dir: Path) -> Path:
    return compose_dir / ".wheels"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _project(filename: str) -> str:
    return filename.split("-", 1)[0].replace("_", "-").lower()


def _download(filename: str, sha256: str, target: Path) -> None:
    with httpx.Client(timeout=60, follow_redirects=True) as http:
        index = http.get(f"{SIMPLE_INDEX}/{_project(filename)}/", headers={"Accept": JSON_SIMPLE})
        index.raise_for_status()
        entry = next((f for f in index.json()["files"] if f["filename"] == filename), None)
        if entry is None:
            raise ImageBuildError(f"PyPI has no file {filename}", "check compose/versions.toml")
        target.write_bytes(http.get(entry["url"]).raise_for_status().content)
    if _sha256(target) != sha256:
        target.unlink()
        raise ImageBuildError(
            f"{filename} from PyPI does not match its pinned sha256",
            "check the pin in compose/versions.toml [image.wheels]",
        )


def ensure_wheels(wheels: dict[str, str], compose_dir: Path) -> list[Path]:
    """Every pinned wheel present with the right hash; unpinned ones removed."""
    folder = wheel_dir(compose_dir)
    folder.mkdir(exist_ok=True)
    for stale in folder.glob("*.whl"):
        if stale.name not in wheels:
            stale.unlink()
    paths = []
    for filename, sha256 in wheels.items():
        target = folder / filename
        if not (target.is_file() and _sha256(target) == sha256):
            try:
                _download(filename, sha256, target)
            except httpx.HTTPError as exc:
                raise ImageBuildError(
                    f"cannot download {filename} from PyPI: {exc}",
                    f"copy {filename} (sha256 {sha256}) into {folder} and run setup again",
                ) from None
        paths.append(target)
    return paths
