"""Waivers: reasons required, globs match, expired ones stop applying and say so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paws_parity import WaiverError, load_waivers
from paws_parity.model import Finding, Kind, Severity
from paws_parity.waivers import Waiver, Waivers, apply_waivers


def _finding(component: str = "postgresql", key: str = "shared_buffers") -> Finding:
    return Finding(component, key, "128MB", "4GB", Kind.RUNTIME, Severity.WARNING, "r", "fix", True)


class TestApply:
    def test_waived_finding_is_kept_and_marked(self) -> None:
        """A covered finding stays in the report, marked waived with the reason."""
        waivers = Waivers(waivers=[Waiver(key="postgresql:*_buffers", reason="laptop")])
        (f,) = apply_waivers([_finding()], waivers).findings
        assert f.waived and f.waiver_reason == "laptop"

    def test_component_glob(self) -> None:
        """`component:key` splits on the colon; each part is a glob of its own."""
        waiver = Waiver(key="redis:*", reason="r")
        assert (waiver.component, waiver.key) == ("redis", "*")
        assert waiver.covers(_finding("redis", "maxmemory"))
        assert not waiver.covers(_finding("postgresql", "maxmemory"))

    def test_expired_waiver_stops_applying_and_says_so(self) -> None:
        """After its expiry date a waiver no longer waives, and the finding notes why."""
        waiver = Waiver(key="shared_buffers", reason="until the upgrade", expires=date(2025, 1, 31))
        outcome = apply_waivers([_finding()], Waivers(waivers=[waiver]), today=date(2025, 2, 1))
        (f,) = outcome.findings
        assert not f.waived
        assert "expired on 2025-01-31" in f.note
        assert outcome.expired == [waiver]

    def test_waiver_applies_on_its_expiry_day(self) -> None:
        """A waiver is valid through the day it expires."""
        waiver = Waiver(key="shared_buffers", reason="r", expires=date(2025, 1, 31))
        outcome = apply_waivers([_finding()], Waivers(waivers=[waiver]), today=date(2025, 1, 31))
        assert outcome.findings[0].waived

    def test_unused_waivers_are_listed(self) -> None:
        """A waiver that matches nothing is reported as unused."""
        waiver = Waiver(key="redis:maxmemory", reason="r")
        assert apply_waivers([_finding()], Waivers(waivers=[waiver])).unused == [waiver]


class TestFile:
    def test_reads_yaml(self, tmp_path: Path) -> None:
        """A waivers file with key, reason and expiry loads."""
        path = tmp_path / "parity-waivers.yaml"
        path.write_text(
            'waivers:\n  - key: "redis:maxmemory"\n    reason: small\n    expires: 2030-01-01\n'
        )
        (w,) = load_waivers(path).waivers
        assert (w.component, w.key, w.expires) == ("redis", "maxmemory", date(2030, 1, 1))

    def test_missing_file_is_no_waivers(self, tmp_path: Path) -> None:
        """No file means no waivers, unless the file was asked for explicitly."""
        assert load_waivers(tmp_path / "none.yaml").waivers == []
        with pytest.raises(WaiverError):
            load_waivers(tmp_path / "none.yaml", required=True)

    def test_missing_reason_names_line_and_field(self, tmp_path: Path) -> None:
        """A waiver without a reason is refused, naming the line and the field."""
        path = tmp_path / "parity-waivers.yaml"
        path.write_text("waivers:\n  - key: a\n    reason: ok\n  - key: b\n    reason: '  '\n")
        with pytest.raises(WaiverError) as caught:
            load_waivers(path)
        assert caught.value.line == 5
        assert caught.value.field == "waivers.1.reason"

    def test_bad_date_names_line(self, tmp_path: Path) -> None:
        """An expiry that is not a date names its line."""
        path = tmp_path / "parity-waivers.yaml"
        path.write_text("waivers:\n  - key: a\n    reason: r\n    expires: someday\n")
        with pytest.raises(WaiverError) as caught:
            load_waivers(path)
        assert (caught.value.line, caught.value.field) == (4, "waivers.0.expires")
