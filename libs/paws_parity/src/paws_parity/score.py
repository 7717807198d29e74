"""The parity score: 100 minus the penalties of unwaived findings, and the pass verdict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import Finding, Severity


@dataclass(frozen=True)
class Thresholds:
    """The bar: score at least `min_score`, at most `max_critical`, fewer than `warning_limit`."""

    min_score: float = 85.0
    max_critical: int = 0
    warning_limit: int = 3


@dataclass(frozen=True)
class ComponentScore:
    """One component's share: its own 0-100 score and counts."""

    component: str
    score: float
    counts: dict[str, int]


@dataclass(frozen=True)
class Score:
    """The overall score, the verdict and why it failed, with the per-component breakdown."""

    score: float
    passed: bool
    counts: dict[str, int]
    waived: int
    components: list[ComponentScore] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _points(findings: Iterable[Finding], penalties: Mapping[Severity, float]) -> float:
    return sum(penalties.get(f.severity, 0.0) for f in findings if not f.waived)


def _clamp(penalty: float) -> float:
    return round(max(0.0, 100.0 - penalty), 1)


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {severity.value: 0 for severity in Severity}
    for finding in findings:
        if not finding.waived:
            counts[finding.severity.value] += 1
    return counts


def score(
    findings: list[Finding],
    penalties: Mapping[Severity, float],
    thresholds: Thresholds = Thresholds(),
    components: Iterable[str] = (),
) -> Score:
    """Score findings; components with no findings score 100 in the breakdown."""
    counts = _counts(findings)
    total = _clamp(_points(findings, penalties))
    failures = []
    if total < thresholds.min_score:
        failures.append(f"score {total:g} is below {thresholds.min_score:g}")
    if counts["critical"] > thresholds.max_critical:
        failures.append(f"{counts['critical']} critical (at most {thresholds.max_critical})")
    if counts["warning"] >= thresholds.warning_limit:
        failures.append(
            f"{counts['warning']} warnings (at most {thresholds.warning_limit - 1} allowed)"
        )
    names = sorted(set(components) | {f.component for f in findings})
    breakdown = [
        ComponentScore(
            name,
            _clamp(_points((f for f in findings if f.component == name), penalties)),
            _counts(f for f in findings if f.component == name),
        )
        for name in names
    ]
    waived = sum(1 for f in findings if f.waived)
    return Score(total, not failures, counts, waived, breakdown, failures)
