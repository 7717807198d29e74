"""The public surface is exactly __all__."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import paws_ci


def test_all_names_exist_and_nothing_else_is_public() -> None:
    """Every name in __all__ resolves; no public module-level name is left out."""
    for name in paws_ci.__all__:
        assert hasattr(paws_ci, name)
    modules = {
        "act",
        "cli",
        "errors",
        "image",
        "parity",
        "workflow",
        "secrets",
        "settings",
        "report",
        "jobuser",
        "notice",
        "runlock",
    }
    public = {n for n in dir(paws_ci) if not n.startswith("_") and n not in modules}
    assert public <= set(paws_ci.__all__) | {"annotations"}


def test_version_is_the_one_in_pyproject() -> None:
    """`__version__` is the installed distribution's, which pyproject.toml defines once."""
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    declared = re.search(r'^version = "([^"]+)"$', pyproject.read_text("utf-8"), re.MULTILINE)
    assert declared is not None, "pyproject.toml declares no static version"
    assert paws_ci.__version__ == importlib.metadata.version("paws-ci") == declared.group(1)


def test_readme_lists_exactly_all() -> None:
    """The README's public API section names each `__all__` name once, and nothing else."""
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    listed = re.findall(r"^- `(\w+)(?:\(\))?`", readme, re.MULTILINE)
    assert sorted(listed) == sorted(paws_ci.__all__)
