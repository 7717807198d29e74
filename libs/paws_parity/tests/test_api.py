"""The public API is exactly __all__."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import paws_parity


class TestPublicApi:
    def test_all_is_the_documented_surface(self) -> None:
        """__all__ lists exactly the names we promise to keep stable."""
        assert sorted(paws_parity.__all__) == sorted([
            "CollectorError", "ConfigFileError", "EndpointsError", "Finding", "InputError", "Kind", "ParityError",
            "ParitySettings", "Report", "Rules", "RulesError", "Score", "Setting",
            "SettingsError", "Severity", "Snapshot", "SnapshotError", "TargetError",
            "Thresholds", "Topology", "WaiverError", "Waivers", "__version__", "build_report",
            "bundled_snapshot", "diff", "import_files", "load_rules", "load_settings", "load_waivers",
            "read_snapshot", "resolve_target", "snapshot_to_text", "write_snapshot",
        ])  # fmt: skip

    def test_every_name_in_all_exists(self) -> None:
        """Each exported name resolves on the package."""
        for name in paws_parity.__all__:
            assert hasattr(paws_parity, name), name

    def test_version_is_the_one_in_pyproject(self) -> None:
        """`__version__` is the installed distribution's, which pyproject.toml defines once."""
        pyproject = Path(__file__).parents[1] / "pyproject.toml"
        declared = re.search(r'^version = "([^"]+)"$', pyproject.read_text("utf-8"), re.MULTILINE)
        assert declared is not None, "pyproject.toml declares no static version"
        assert (
            paws_parity.__version__
            == importlib.metadata.version("paws-parity")
            == declared.group(1)
        )

    def test_readme_lists_exactly_all(self) -> None:
        """The README's public API section names each `__all__` name once, and nothing else."""
        readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
        listed = re.findall(r"^- `(\w+)(?:\(\))?`", readme, re.MULTILINE)
        assert sorted(listed) == sorted(paws_parity.__all__)
