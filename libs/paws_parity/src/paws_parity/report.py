"""A parity report: compare, judge, waive and score, in one document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .compare import compared, undescribed
from .model import Difference, Finding, Severity, Snapshot
from .renames import Retirement
from .rules import Rules, bundled_rules, judge
from .score import Score, Thresholds, score
from .waivers import Waiver, Waivers, apply_waivers


@dataclass(frozen=True)
class Report:
    """Everything one comparison found, ready to render."""

    local: str
    target: str
    score: Score
    findings: list[Finding]
    thresholds: Thresholds
    expired_waivers: list[Waiver] = field(default_factory=list)
    unused_waivers: list[Waiver] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.score.passed

    def to_json(self) -> dict[str, Any]:
        """The whole report as one JSON-ready document."""
        return {
            "local": self.local,
            "target": self.target,
            "score": self.score.score,
            "passed": self.score.passed,
            "counts": {**self.score.counts, "waived": self.score.waived},
            "thresholds": {
                "min_score": self.thresholds.min_score,
                "max_critical": self.thresholds.max_critical,
                "warning_limit": self.thresholds.warning_limit,
            },
            "failures": self.score.failures,
            "components": {
                c.component: {"score": c.score, "counts": c.counts} for c in self.score.components
            },
            "findings": [finding.to_json() for finding in self.findings],
            "expired_waivers": [_waiver_json(w) for w in self.expired_waivers],
            "unused_waivers": [_waiver_json(w) for w in self.unused_waivers],
            "notes": self.notes,
        }


def _waiver_json(waiver: Waiver) -> dict[str, Any]:
    expires = waiver.expires.isoformat() if waiver.expires else None
    return {"pattern": waiver.pattern, "reason": waiver.reason, "expires": expires}


def _label(snapshot: Snapshot) -> str:
    return f"{snapshot.name} ({snapshot.source})" if snapshot.source else snapshot.name


def _components(*snapshots: Snapshot) -> set[str]:
    names: set[str] = set()
    for snapshot in snapshots:
        names |= snapshot.settings.keys() | snapshot.versions.keys()
        names |= snapshot.topology.members.keys()
    return names


def _notes(local: Snapshot, target: Snapshot) -> list[str]:
    notes = []
    for label, attribute in (("structure", "structure"), ("application environment", "app_env")):
        sides = [s.name for s in (local, target) if getattr(s, attribute) is None]
        if len(sides) == 1:
            notes.append(f"{label} not compared: {sides[0]} has none")
    return notes


def _release_note(local: Snapshot, target: Snapshot, found: list[Difference]) -> list[str]:
    """Settings one PostgreSQL release has at their defaults and the other lacks: said once."""
    if not found:
        return []
    by_side: dict[str, list[str]] = {}
    for difference in found:
        side = local if difference.local is not None else target
        by_side.setdefault(side.name, []).append(difference.key)
    versions = {s.name: s.versions.get("postgresql", "?") for s in (local, target)}
    parts = [f"{', '.join(sorted(keys))} only in {name} (PostgreSQL {versions[name]})"
             for name, keys in sorted(by_side.items())]  # fmt: skip
    return [
        "postgresql: settings that exist in one server release only, at their built-in "
        f"defaults, are a version difference, not drift, and are not scored: {'; '.join(parts)}"
    ]


def _partial_note(local: Snapshot, target: Snapshot) -> list[str]:
    """Which components a partial side does not describe, and so were not compared."""
    notes = []
    for side, snapshot, other in (("local", local, target), ("target", target, local)):
        skipped = sorted(undescribed(snapshot, other))
        if not skipped:
            continue
        counted = [c for c in skipped if c in snapshot.topology.members]
        note = f"{', '.join(skipped)} not compared: the {side} ({snapshot.name}) is partial"
        note += " and does not describe their settings"
        if counted:
            note += f"; member counts compared for {', '.join(counted)}"
        notes.append(note)
    return notes


def _retired_note(retired: list[Retirement]) -> list[str]:
    """Parameters an older release had, read as what the newer server has: said once."""
    if not retired:
        return []
    said = "; ".join(r.describe() for r in retired)
    return [f"postgresql: parameters renamed or removed by a newer release: {said}"]


def _order(finding: Finding) -> tuple[str, int, str]:
    return finding.component, finding.severity.rank, finding.key


def build_report(
    local: Snapshot,
    target: Snapshot,
    *,
    rules: Rules | None = None,
    waivers: Waivers | None = None,
    thresholds: Thresholds | None = None,
    default_severity: Severity | None = None,
    today: date | None = None,
) -> Report:
    """Compare `local` with `target` and judge, waive and score every difference."""
    rules = rules or bundled_rules()
    thresholds = thresholds or Thresholds()
    differences, retired = compared(local, target)
    release_only = [d for d in differences if d.release_only]
    findings = judge([d for d in differences if not d.release_only], rules, default_severity)
    outcome = apply_waivers(findings, waivers or Waivers(), today)
    ordered = sorted(outcome.findings, key=_order)
    skipped = undescribed(local, target) | undescribed(target, local)
    result = score(ordered, rules.penalties, thresholds, _components(local, target) - skipped)
    return Report(
        local=_label(local),
        target=_label(target),
        score=result,
        findings=ordered,
        thresholds=thresholds,
        expired_waivers=outcome.expired,
        unused_waivers=outcome.unused,
        notes=[
            *_notes(local, target),
            *_partial_note(local, target),
            *_release_note(local, target, release_only),
            *_retired_note(retired),
        ],
    )
