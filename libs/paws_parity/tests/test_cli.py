"""The CLI: exit codes 0/1/2, --json prints one document, errors are one clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import plant

from paws_parity import bundled_snapshot, write_snapshot
from paws_parity.cli import main


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.chdir(tmp_path)
    staging = bundled_snapshot()
    drifted = plant(plant(staging, "postgresql", "fsync", "off"), "redis", "appendonly", "no")
    return {
        "same": write_snapshot(staging, tmp_path / "same.json"),
        "drifted": write_snapshot(drifted, tmp_path / "drifted.json"),
    }


class TestExitCodes:
    def test_passed_is_0(self, files: dict[str, Path]) -> None:
        """An identical snapshot passes."""
        assert main(["diff", str(files["same"]), "staging", "--format", "plain"]) == 0

    def test_below_bar_is_1(self, files: dict[str, Path]) -> None:
        """Critical drift fails the bar."""
        assert main(["check", "--local", str(files["drifted"]), "--format", "plain"]) == 1

    def test_unknown_target_is_2(
        self, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unknown target is a clear error and exit 2."""
        assert main(["check", "--local", str(files["same"]), "--target", "prod"]) == 2
        err = capsys.readouterr().err
        assert "unknown target 'prod'" in err and "fix:" in err

    def test_missing_endpoints_is_2(
        self, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without an endpoints file the live check cannot run: exit 2, naming the file."""
        assert main(["check", "--endpoints", "nowhere.yaml"]) == 2
        assert "no endpoints file at nowhere.yaml" in capsys.readouterr().err

    def test_malformed_waivers_is_2(self, files: dict[str, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
        """A malformed waivers file stops the run, naming the line."""
        bad = tmp_path / "w.yaml"
        bad.write_text("waivers:\n  - key: x\n")
        assert main(["diff", str(files["same"]), "staging", "--waivers", str(bad)]) == 2
        assert f"{bad}:2" in capsys.readouterr().err


class TestOutput:
    def test_json_is_one_document_on_stdout(
        self, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--json prints exactly one JSON document and nothing else on stdout."""
        assert main(["diff", str(files["drifted"]), "staging", "--json"]) == 1
        doc = json.loads(capsys.readouterr().out)
        assert doc["passed"] is False and doc["counts"]["critical"] == 2

    def test_thresholds_from_flags(self, files: dict[str, Path]) -> None:
        """Flags loosen the bar."""
        args = ["diff", str(files["drifted"]), "staging", "--format", "plain",
                "--max-critical", "2", "--min-score", "0"]  # fmt: skip
        assert main(args) == 0

    def test_thresholds_from_settings(
        self, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """PAWS_PARITY_* variables loosen the bar too."""
        monkeypatch.setenv("PAWS_PARITY_MAX_CRITICAL", "5")
        monkeypatch.setenv("PAWS_PARITY_MIN_SCORE", "0")
        assert main(["diff", str(files["drifted"]), "staging", "--format", "plain"]) == 0

    def test_bad_setting_is_2(self, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
        """A malformed PAWS_PARITY_* value names the variable."""
        monkeypatch.setenv("PAWS_PARITY_MIN_SCORE", "lots")
        assert main(["diff", str(files["same"]), "staging"]) == 2
        assert "PAWS_PARITY_MIN_SCORE" in capsys.readouterr().err

    def test_example_waivers_prints_yaml(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The bundled waivers example can seed a user's parity-waivers.yaml."""
        assert main(["example-waivers"]) == 0
        assert "waivers:" in capsys.readouterr().out


class TestWaiverFiles:
    def test_no_file_applies_no_waivers(
        self, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Waivers are decisions: without the user's file none apply, and the report says so."""
        assert main(["diff", str(files["same"]), "staging", "--json"]) == 0
        notes = json.loads(capsys.readouterr().out)["notes"]
        assert any("no waivers applied" in n and "example-waivers" in n for n in notes)

    def test_repository_file_is_used(
        self, files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A parity-waivers.yaml in the working folder applies and is named in the report."""
        (tmp_path / "parity-waivers.yaml").write_text(
            "waivers:\n  - key: 'redis:appendonly'\n    reason: testing\n"
        )
        assert main(["diff", str(files["drifted"]), "staging", "--json"]) == 1
        report = json.loads(capsys.readouterr().out)
        assert "waivers from parity-waivers.yaml" in report["notes"]
        assert [f["waived"] for f in report["findings"] if f["key"] == "appendonly"] == [True]
