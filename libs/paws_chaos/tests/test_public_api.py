"""The public API is exactly __all__ (httpx's rule)."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import paws_chaos


class TestPublicApi:
    """What `from paws_chaos import ...` offers."""

    def test_all_names_exist(self) -> None:
        """Every name in __all__ is importable from the package."""
        assert all(hasattr(paws_chaos, name) for name in paws_chaos.__all__)

    def test_all_is_the_whole_public_surface(self) -> None:
        """No public module-level name is missing from __all__ (submodules aside)."""
        public = {
            name
            for name, value in vars(paws_chaos).items()
            if not name.startswith("_") and type(value).__name__ != "module"
        }
        assert public == set(paws_chaos.__all__) - {"__version__"}

    def test_version_is_a_string(self) -> None:
        """A dotted X.Y.Z version."""
        assert paws_chaos.__version__.count(".") == 2

    def test_version_is_the_one_in_pyproject(self) -> None:
        """`__version__` is the installed distribution's, which pyproject.toml defines once."""
        pyproject = Path(__file__).parents[1] / "pyproject.toml"
        declared = re.search(r'^version = "([^"]+)"$', pyproject.read_text("utf-8"), re.MULTILINE)
        assert declared is not None, "pyproject.toml declares no static version"
        assert (
            paws_chaos.__version__ == importlib.metadata.version("paws-chaos") == declared.group(1)
        )

    def test_readme_lists_exactly_all(self) -> None:
        """The README's public API section names each `__all__` name once, and nothing else."""
        readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
        listed = re.findall(r"^- `(\w+)(?:\(\))?`", readme, re.MULTILINE)
        assert sorted(listed) == sorted(paws_chaos.__all__)
