"""Score: 100 minus penalties of unwaived findings; pass needs score, criticals and warnings."""

from __future__ import annotations

import dataclasses

import pytest

from paws_parity import Severity, Thresholds
from paws_parity.model import Finding, Kind
from paws_parity.score import score

PENALTIES = {Severity.CRITICAL: 25.0, Severity.WARNING: 5.0, Severity.INFO: 1.0}


def _f(severity: Severity, component: str = "redis", waived: bool = False) -> Finding:
    return Finding(component, "k", 1, 2, Kind.RUNTIME, severity, "r", "", False, waived=waived)


class TestFormula:
    def test_no_findings_is_100(self) -> None:
        """A perfect match scores 100 and passes."""
        result = score([], PENALTIES)
        assert (result.score, result.passed) == (100.0, True)

    def test_penalties_add_up(self) -> None:
        """1 warning and 3 infos cost 5 + 3 points."""
        result = score([_f(Severity.WARNING), *[_f(Severity.INFO)] * 3], PENALTIES)
        assert result.score == 92.0 and result.passed

    def test_floor_is_zero(self) -> None:
        """Five criticals cannot push the score below 0."""
        assert score([_f(Severity.CRITICAL)] * 5, PENALTIES).score == 0.0

    def test_waived_findings_cost_nothing(self) -> None:
        """Waived findings are counted apart and do not lower the score."""
        result = score([_f(Severity.CRITICAL, waived=True)], PENALTIES)
        assert (result.score, result.passed, result.waived) == (100.0, True, 1)

    def test_breakdown_per_component(self) -> None:
        """Each component scores its own findings; components without findings score 100."""
        result = score([_f(Severity.WARNING, "redis"), _f(Severity.INFO, "etcd")], PENALTIES,
                       components=["patroni"])  # fmt: skip
        by_name = {c.component: c.score for c in result.components}
        assert by_name == {"etcd": 99.0, "patroni": 100.0, "redis": 95.0}


class TestVerdict:
    @pytest.mark.parametrize(
        ("findings", "passed"),
        [
            ([Severity.WARNING] * 2, True),
            ([Severity.WARNING] * 3, False),  # warnings must stay below 3
            ([Severity.CRITICAL], False),  # any critical fails
            ([Severity.INFO] * 15, True),  # exactly 85
            ([Severity.INFO] * 16, False),  # 84 < 85
        ],
    )
    def test_seed_bar(self, findings: list[Severity], passed: bool) -> None:
        """score >= 85, 0 Critical and fewer than 3 Warnings, by default."""
        assert score([_f(s) for s in findings], PENALTIES).passed is passed

    def test_thresholds_are_configurable(self) -> None:
        """A looser bar lets 1 critical and 5 warnings through."""
        bar = Thresholds(min_score=0, max_critical=1, warning_limit=6)
        findings = [_f(Severity.CRITICAL), *[_f(Severity.WARNING)] * 5]
        assert score(findings, PENALTIES, bar).passed

    def test_failures_say_why(self) -> None:
        """A failed verdict lists every reason."""
        result = score([_f(Severity.CRITICAL)] * 2, PENALTIES)
        assert result.failures == ["score 50 is below 85", "2 critical (at most 0)"]
        assert dataclasses.asdict(result)["counts"]["critical"] == 2
