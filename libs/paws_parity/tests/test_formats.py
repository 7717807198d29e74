"""Report formats: JSON fields, Markdown tables, GitHub annotations, plain lines, rich table."""

from __future__ import annotations

import io
import json
import re

import pytest
from helpers import plant
from rich.console import Console

from paws_parity import Report, build_report, bundled_snapshot
from paws_parity.formats import render_github, render_markdown, render_plain
from paws_parity.render import print_report
from paws_parity.waivers import Waiver, Waivers


@pytest.fixture(scope="module")
def report() -> Report:
    staging = bundled_snapshot()
    local = plant(staging, "redis", "maxmemory-policy", "allkeys-lru")
    local = plant(local, "postgresql", "shared_buffers", "16384")
    waivers = Waivers(waivers=[Waiver(key="postgresql:shared_buffers", reason="laptop")])
    return build_report(local, staging, waivers=waivers)


class TestJson:
    def test_fields(self, report: Report) -> None:
        """The JSON report has score, passed, counts and complete findings."""
        doc = json.loads(json.dumps(report.to_json()))
        assert {"score", "passed", "counts", "findings", "components"} <= doc.keys()
        assert doc["score"] == 95.0 and doc["passed"] is True
        assert doc["counts"] == {"critical": 0, "warning": 1, "info": 0, "waived": 1}
        finding = next(f for f in doc["findings"] if f["key"] == "shared_buffers")
        assert {k: finding[k] for k in ("component", "local", "target", "kind", "severity",
                                        "waived", "restart_required")} == {
            "component": "postgresql", "local": "128MB", "target": "4GB", "kind": "runtime",
            "severity": "warning", "waived": True, "restart_required": True,
        }  # fmt: skip
        assert finding["remediation"].startswith("patronictl edit-config")


class TestText:
    def test_plain_lines(self, report: Report) -> None:
        """Plain output has one line per finding and ends with the verdict."""
        lines = render_plain(report).splitlines()
        assert any(line.startswith("WARNING  redis maxmemory-policy") for line in lines)
        assert any(line.startswith("WAIVED   postgresql shared_buffers") for line in lines)
        assert lines[-1].startswith("parity 95/100 PASSED")

    def test_markdown(self, report: Report) -> None:
        """Markdown has a heading with the score and a findings table."""
        text = render_markdown(report)
        assert text.startswith("### ✅ Parity 95/100")
        assert "| **warning** | redis | `maxmemory-policy` |" in text

    def test_github_annotations(self, report: Report) -> None:
        """Each finding is a workflow command; properties are escaped; the verdict comes last."""
        lines = render_github(report).splitlines()
        assert (
            "::warning title=parity warning%3A redis maxmemory-policy::local allkeys-lru"
            in lines[1]
        )
        assert lines[0].startswith("::notice title=parity warning%3A postgresql shared_buffers::")
        assert lines[-1].startswith("::notice title=parity score::parity 95/100 PASSED")

    def test_not_a_tty_gives_plain_lines(self, report: Report) -> None:
        """Without a terminal the report is plain lines, no box drawing or colour codes."""
        buffer = io.StringIO()
        print_report(report, Console(file=buffer, force_terminal=False))
        assert buffer.getvalue() == render_plain(report)

    def test_terminal_gets_tables_and_no_color_is_honoured(self, report: Report) -> None:
        """On a terminal the report is a table per component; NO_COLOR drops colour codes."""
        buffer = io.StringIO()
        print_report(report, Console(file=buffer, force_terminal=True, no_color=True, width=200))
        text = buffer.getvalue()
        assert "redis  95/100" in text and "score by component" in text
        assert re.search(r"\x1b\[(?:\d+;)*3[0-7]m", text) is None  # no foreground colours
