"""No remediation template renders with an empty field: no double space, no dangling word."""

from __future__ import annotations

import re

import pytest

from paws_parity.model import Difference, Kind, Value
from paws_parity.rules import bundled_rules, remediation

# A word that needs something after it, and a quoted or code-marked nothing.
_DANGLING = re.compile(r"\b(to|in|from|set|pin|SET|of|the|and|with)$")
_EMPTY = ("''", "``", '""', "=''", "= ''", "{", "}")

RULES = bundled_rules()
NAMES = sorted(RULES.remediations)
# Each value a field can be missing as: unknown on one side, empty text.
MISSING: list[tuple[Value, Value]] = [(None, "x"), ("x", None), ("", "x"), (None, None)]


def _rendered(name: str, local: Value, target: Value, *, dcs: bool, restart: bool) -> str:
    component = name if name in ("postgresql", "patroni", "redis", "sentinel", "etcd") else "etcd"
    key = "version" if name == "version" else "some-key"
    found = Difference(component, key, local, target, Kind.STRUCTURAL, dcs_managed=dcs,
                       removed_in="15" if name == "removed" else "")  # fmt: skip
    return remediation(found, RULES, name, restart)


def _problems(text: str) -> list[str]:
    problems = [f"contains {bad!r}" for bad in _EMPTY if bad in text]
    if re.search(r"[^\s=]=(\s|$)", text):
        problems.append("an assignment without a value")
    if "  " in text:
        problems.append("double space")
    if not text or _DANGLING.search(text):
        problems.append("ends on a dangling word")
    return problems


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("local", "target"), MISSING)
@pytest.mark.parametrize("dcs", [False, True])
@pytest.mark.parametrize("restart", [False, True])
def test_template_renders_without_holes(
    name: str, local: Value, target: Value, dcs: bool, restart: bool
) -> None:
    """Every template, with each field missing, reads as a whole command or sentence."""
    text = _rendered(name, local, target, dcs=dcs, restart=restart)
    assert _problems(text) == [], text


INLINE = [rule for rule in RULES.rules if rule.remediation and "{" in rule.remediation]


def test_there_are_inline_templates() -> None:
    """The next test has something to check."""
    assert len(INLINE) >= 5


@pytest.mark.parametrize("index", range(len(INLINE)))
@pytest.mark.parametrize(("local", "target"), MISSING)
def test_inline_rule_templates_render_without_holes(
    index: int, local: Value, target: Value
) -> None:
    """Templates written inline in a rule hold up with missing values too."""
    rule = INLINE[index]
    assert rule.remediation is not None
    found = Difference(rule.component.replace("*", "redis"), "some-key", local, target,
                       Kind.RUNTIME)  # fmt: skip
    text = remediation(found, RULES, rule.remediation, False)
    assert _problems(text) == [], text


def test_the_checker_catches_a_hole() -> None:
    """The check itself fails on the broken text issue 9 reported."""
    assert _problems("pin etcd  in compose/versions.toml") == ["double space"]
    assert _problems("redis-cli CONFIG SET maxmemory '' on every node") == ["contains \"''\""]
    assert _problems("patronictl edit-config paws --set ttl=") == ["an assignment without a value"]
