"""Tests for the public surface of paws_stack: exactly `__all__`, each name real and documented."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import re
from pathlib import Path

import pytest

import paws_stack

EXPECTED_ALL = [
    "BackupError",
    "BackupRefused",
    "ClientTls",
    "Component",
    "ComposeError",
    "ComposeUnavailable",
    "ConfirmationRequired",
    "DaemonNotRunning",
    "DirectReach",
    "Endpoints",
    "EngineError",
    "EngineInfo",
    "EngineNotFound",
    "ForeignProject",
    "HealthReport",
    "HostCheckError",
    "ImageBuildError",
    "InstallError",
    "PawsStackError",
    "PortInUse",
    "ProbeError",
    "ProjectBusy",
    "ProjectLock",
    "Reach",
    "SecretsError",
    "SettingsError",
    "Stack",
    "StackNotHealthy",
    "StackSettings",
    "Topology",
    "__version__",
    "detect_engine",
    "load_settings",
]


class TestAll:
    def test_all_is_exactly_the_expected_set(self) -> None:
        """`__all__` lists the public names, no more and no fewer."""
        assert sorted(paws_stack.__all__) == EXPECTED_ALL

    def test_all_has_no_duplicates(self) -> None:
        """Each public name is exported once."""
        assert len(paws_stack.__all__) == len(set(paws_stack.__all__))

    @pytest.mark.parametrize("name", EXPECTED_ALL)
    def test_name_is_importable(self, name: str) -> None:
        """`from paws_stack import <name>` works for every public name."""
        module = importlib.import_module("paws_stack")
        assert getattr(module, name) is not None

    @pytest.mark.parametrize(
        "name",
        [n for n in EXPECTED_ALL if inspect.isclass(getattr(paws_stack, n))],
    )
    def test_class_has_docstring(self, name: str) -> None:
        """Every public class says what it is."""
        assert (inspect.getdoc(getattr(paws_stack, name)) or "").strip()

    @pytest.mark.parametrize(
        "name",
        [n for n in EXPECTED_ALL if inspect.isfunction(getattr(paws_stack, n))],
    )
    def test_function_has_docstring(self, name: str) -> None:
        """Every public function says what it does."""
        assert (inspect.getdoc(getattr(paws_stack, name)) or "").strip()


class TestErrors:
    @pytest.mark.parametrize(
        "name",
        [
            n
            for n in EXPECTED_ALL
            if inspect.isclass(getattr(paws_stack, n))
            and issubclass(getattr(paws_stack, n), BaseException)
        ],
    )
    def test_exceptions_share_the_base(self, name: str) -> None:
        """Every public exception is a PawsStackError, so the CLI can catch them all."""
        assert issubclass(getattr(paws_stack, name), paws_stack.PawsStackError)

    def test_remediation_is_shown_after_the_message(self) -> None:
        """str() of an error is its message, then its remediation on a `fix:` line."""
        error = paws_stack.SettingsError("bad value", "set it right")
        assert str(error) == "bad value\n  fix: set it right"


class TestVersion:
    def test_version_is_a_dotted_string(self) -> None:
        """`__version__` is a plain X.Y.Z string."""
        parts = paws_stack.__version__.split(".")
        assert len(parts) == 3 and all(part.isdigit() for part in parts)

    def test_version_is_the_one_in_pyproject(self) -> None:
        """`__version__` is the installed distribution's, which pyproject.toml defines once."""
        pyproject = Path(__file__).parents[1] / "pyproject.toml"
        declared = re.search(r'^version = "([^"]+)"$', pyproject.read_text("utf-8"), re.MULTILINE)
        assert declared is not None, "pyproject.toml declares no static version"
        assert (
            paws_stack.__version__ == importlib.metadata.version("paws-stack") == declared.group(1)
        )

    def test_readme_lists_exactly_all(self) -> None:
        """The README's public API section names each `__all__` name once, and nothing else."""
        readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
        listed = re.findall(r"^- `(\w+)(?:\(\))?`", readme, re.MULTILINE)
        assert sorted(listed) == sorted(paws_stack.__all__)
