"""paws_parity benchmarks (issues 3, 9): a 1,000-setting diff and a 1,000-line postgresql.conf
import and check <= 200 ms each, live collection <= 2 s."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.conftest import ROOT, new_stack
from paws_parity import Setting, Snapshot, build_report, bundled_snapshot, import_files
from paws_parity.collect.live import collect_live
from paws_parity.endpoints import read_endpoints
from paws_stack import Stack


def _thousand(name: str, spelled_in_kb: bool) -> Snapshot:
    """1,000 PostgreSQL settings, written as `<n>` x kB on one side and `<n>kB` on the other."""
    settings = {
        f"setting_{i}": (
            Setting(value=f"{i}kB", vartype="integer")
            if spelled_in_kb
            else Setting(value=str(i), unit="kB", vartype="integer")
        )
        for i in range(1000)
    }
    return Snapshot(name=name, settings={"postgresql": settings})


def test_diff_of_two_thousand_setting_snapshots(benchmark: Any) -> None:
    """Normalise, compare, apply rules and score 1,000 settings per side."""
    local, target = _thousand("local", False), _thousand("target", True)
    report = benchmark(build_report, local, target)
    assert not report.findings  # equivalent spellings: nothing reported


def test_diff_where_every_setting_differs(benchmark: Any) -> None:
    """The worst case: 1,000 findings to classify, remediate and score."""
    local = _thousand("local", False)
    target = Snapshot(
        name="target",
        settings={"postgresql": {f"setting_{i}": Setting(value=f"{i + 1}kB") for i in range(1000)}},
    )
    report = benchmark(build_report, local, target)
    assert len(report.findings) == 1000


def _thousand_line_conf(path: Path) -> Path:
    """A 1,000-line postgresql.conf: every staging setting, comments, blanks, old names."""
    staging = bundled_snapshot().settings["postgresql"]
    lines = ["# written for PostgreSQL 9.6", "checkpoint_segments = 64", "wal_level = hot_standby"]
    for name, setting in sorted(staging.items()):
        value = "" if setting.value is None else str(setting.value).replace("'", "''")
        lines += [
            f"# {name}: kept as staging has it",
            f"{name} = '{value}'    # {setting.unit}",
            "",
        ]
    lines += [f"#custom_{i} = off" for i in range(1000 - len(lines))]
    path.write_text("\n".join(lines[:1000]) + "\n", encoding="utf-8")
    return path


def test_import_and_check_a_thousand_line_postgresql_conf(benchmark: Any, tmp_path: Path) -> None:
    """Read a 1,000-line postgresql.conf (issue 9) and check it against staging."""
    conf = _thousand_line_conf(tmp_path / "postgresql.conf")
    staging = bundled_snapshot()

    def run() -> Any:
        return build_report(staging, import_files([str(conf)]))

    report = benchmark(run)
    assert len(conf.read_text().splitlines()) == 1000
    assert report.findings == []  # staging's own values; the old names are read as new ones
    assert any("checkpoint_segments" in note and "also sets" in note for note in report.notes)


def test_live_collection_from_the_full_stack(
    benchmark: Any, prepared: Stack, tmp_path: Path
) -> None:
    """Collect every component of the running full stack, read-only, in process."""
    stack = new_stack()
    stack.up()
    sys.path.insert(0, str(ROOT / "scripts"))
    from parity_endpoints import endpoints_document

    path = tmp_path / "endpoints.json"
    path.write_text(json.dumps(endpoints_document(stack)), encoding="utf-8")
    endpoints = read_endpoints(path)
    snapshot = benchmark.pedantic(collect_live, args=(endpoints,), rounds=5, iterations=1)
    assert snapshot.settings["postgresql"]
