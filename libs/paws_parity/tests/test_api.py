"""The public API is exactly __all__."""

from __future__ import annotations

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

    def test_version_is_the_package_version(self) -> None:
        """__version__ comes from the installed distribution, defined once in pyproject."""
        assert paws_parity.__version__ == "0.1.0"
