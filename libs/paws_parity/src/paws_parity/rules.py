"""Rules are data: severity, reason and remediation for each difference, from a YAML file."""

from __future__ import annotations

import fnmatch
import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from . import normalise
from .documents import read_model
from .errors import RulesError
from .model import Difference, Finding, Kind, Severity, Value

RuleSeverity = Literal["critical", "warning", "info", "ignore"]
_FIX = "correct the rules file; docs/parity.md describes each field"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Remediation(_Strict):
    """Templates for one way of fixing a difference."""

    default: str
    dcs: str | None = None
    absent: str | None = None
    dcs_absent: str | None = None
    restart: str | None = None


class Rule(_Strict):
    """Which differences a rule matches, and what it says about them."""

    component: str = "*"
    key: str = "*"
    key_in: list[str] | None = None
    kind: Kind | None = None
    local: Any = None
    target: Any = None
    severity: RuleSeverity
    reason: str = Field(min_length=1)
    remediation: str | None = None
    restart: bool | None = None

    def covers_component(self, component: str) -> bool:
        return _glob(self.component).match(component) is not None

    def matches(self, found: Difference) -> bool:
        """Whether this rule applies (its component is checked by the caller)."""
        if self.key_in is not None:
            if found.key not in self.key_in:
                return False
        elif _glob(self.key).match(found.key) is None:
            return False
        if self.kind is not None and found.kind is not self.kind:
            return False
        return _value_matches(self.local, found.local) and _value_matches(self.target, found.target)


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern))


def _value_matches(expected: Any, actual: Value) -> bool:
    if expected is None:
        return True
    return bool(_canonical_expected(expected) == normalise.generic(actual))


@functools.lru_cache(maxsize=256)
def _canonical_expected(expected: Any) -> Any:
    return normalise.generic(expected)


def _default_penalties() -> dict[Severity, float]:
    return {Severity.CRITICAL: 25.0, Severity.WARNING: 5.0, Severity.INFO: 1.0}


def _default_versions() -> dict[str, RuleSeverity]:
    return {"major": "critical", "minor": "warning", "patch": "info"}


class Rules(_Strict):
    """A whole rules file."""

    default_severity: Severity = Severity.WARNING
    penalties: dict[Severity, float] = Field(default_factory=_default_penalties)
    versions: dict[str, RuleSeverity] = Field(default_factory=_default_versions)
    removed: RuleSeverity = "info"  # a PostgreSQL parameter the other side's release removed
    vars: dict[str, str] = Field(default_factory=dict)
    remediations: dict[str, Remediation] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    _by_component: dict[str, list[Rule]] = PrivateAttr(default_factory=dict)

    def first_match(self, found: Difference) -> Rule | None:
        """The first rule, in file order, that matches `found`."""
        candidates = self._by_component.get(found.component)
        if candidates is None:
            candidates = [rule for rule in self.rules if rule.covers_component(found.component)]
            self._by_component[found.component] = candidates
        return next((rule for rule in candidates if rule.matches(found)), None)


@functools.lru_cache(maxsize=1)
def bundled_rules() -> Rules:
    """The rules file shipped with the package."""
    text = (resources.files("paws_parity") / "data" / "rules.yaml").read_text("utf-8")
    return read_model(Rules, Path("<bundled rules.yaml>"), error=RulesError, fix=_FIX, text=text)


def load_rules(path: str | Path | None = None) -> Rules:
    """A rules file, or the bundled one when `path` is None."""
    if path is None:
        return bundled_rules()
    return read_model(Rules, Path(path), error=RulesError, fix=_FIX)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return " ".join(map(_text, value))
    return "" if value is None else str(value)


def judge(
    differences: list[Difference], rules: Rules, default_severity: Severity | None = None
) -> list[Finding]:
    """Give each difference its severity, reason and remediation; drop the ignored ones."""
    fallback = default_severity or rules.default_severity
    findings = []
    for found in differences:
        finding = _judge_one(found, rules, fallback)
        if finding is not None:
            findings.append(finding)
    return findings


def _judge_one(found: Difference, rules: Rules, fallback: Severity) -> Finding | None:
    rule = rules.first_match(found)
    if found.key == "version" and found.change:
        severity: RuleSeverity = rules.versions.get(found.change, "critical")
        reason = f"{found.change} version differs"
        template_name, restart = "version", True
    elif found.removed_in:
        severity, reason = rules.removed, f"PostgreSQL {found.removed_in} removed this parameter"
        template_name, restart = "removed", False
    elif rule is None:
        severity, reason = fallback.value, "no rule covers this key: default severity"
        template_name, restart = None, None
    else:
        severity, reason = rule.severity, rule.reason
        template_name, restart = rule.remediation, rule.restart
    if severity == "ignore":
        return None
    restart_required = _restart(found, restart)
    return Finding(
        component=found.component,
        key=found.key,
        local=found.local,
        target=found.target,
        kind=found.kind,
        severity=Severity(severity),
        reason=reason,
        remediation=remediation(found, rules, template_name, restart_required),
        restart_required=restart_required,
        note=found.note,
        origin=found.origin,
    )


def _restart(found: Difference, declared: bool | None) -> bool:
    if declared is not None:
        return declared
    if found.component == "postgresql":
        return found.context == "postmaster"
    return found.component in ("etcd", "haproxy", "compose")


def remediation(found: Difference, rules: Rules, name: str | None, restart: bool) -> str:
    """Fill the remediation template for `found` (inline templates contain `{`)."""
    if name is not None and "{" in name:
        template, suffix = name, ""
    else:
        entry = rules.remediations.get(name or found.component)
        if entry is None:
            entry = rules.remediations.get("compose")
        if entry is None:
            return ""
        template = entry.default
        if found.target is None and found.dcs_managed and entry.dcs_absent:
            template = entry.dcs_absent
        elif found.target is None and entry.absent:
            template = entry.absent
        elif found.dcs_managed and entry.dcs:
            template = entry.dcs
        suffix = (entry.restart or "") if restart else ""
    values = _Blank(rules.vars)
    values.update(
        component=found.component,
        key=found.key,
        local=_text(found.local),
        target=_text(found.target),
        env_key="ETCD_" + found.key.upper().replace("-", "_"),
        removed_in=found.removed_in,
        side="local" if found.local is not None else "target",
    )
    return (template + suffix).format_map(values).strip()
