"""Version policy: major, minor, patch or equal."""

from __future__ import annotations

import pytest

from paws_parity.versions import release, version_change


class TestVersionChange:
    @pytest.mark.parametrize(
        ("local", "target", "change"),
        [
            ("15.18 (Debian 15.18-0+deb12u1)", "15.18", ""),
            ("15.18", "15", ""),
            ("5:7.0.15-1~deb12u1", "7.0", ""),
            ("7.0.15", "7.0.11", "patch"),
            ("7.0.15", "7.2.4", "minor"),
            ("15.4", "15.18", "minor"),
            ("14.10", "15.5", "major"),
            ("3.5.16", "3.4.23", "minor"),
            ("2.6.12-1+deb12u4", "2.6.12", ""),
            ("unknown", "15", "major"),
        ],
    )
    def test_change(self, local: str, target: str, change: str) -> None:
        """Debian epochs and suffixes are ignored; a shorter version names a series."""
        assert version_change(local, target) == change

    def test_release_of_server_version(self) -> None:
        """PostgreSQL's server_version string yields its numeric release."""
        assert release("15.18 (Debian 15.18-0+deb12u1)") == (15, 18)
