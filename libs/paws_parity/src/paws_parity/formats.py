"""Plain-text report formats: plain lines, Markdown (PR comments), GitHub annotations."""

from __future__ import annotations

from .model import Finding, Value
from .report import Report

GITHUB_LEVEL = {"critical": "error", "warning": "warning", "info": "notice"}


def show(value: Value) -> str:
    """A value as a person reads it: absent as `(absent)`, booleans as on/off."""
    if value is None:
        return "(absent)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(map(show, value)) or "(empty)"
    return str(value) if str(value) != "" else '""'


def verdict(report: Report) -> str:
    """One line: score, verdict, counts and why it failed."""
    counts = report.score.counts
    state = "PASSED" if report.passed else "FAILED"
    line = (
        f"parity {report.score.score:g}/100 {state}: {counts['critical']} critical, "
        f"{counts['warning']} warning, {counts['info']} info, {report.score.waived} waived"
    )
    if report.score.failures:
        line += " (" + "; ".join(report.score.failures) + ")"
    return line


def _extras(finding: Finding) -> str:
    parts = [f"from {finding.origin}"] if finding.origin else []
    if finding.restart_required:
        parts.append("restart required")
    if finding.waived:
        parts.append(f"waived: {finding.waiver_reason}")
    if finding.note:
        parts.append(finding.note)
    return "; ".join(parts)


def _trailer(report: Report) -> list[str]:
    lines = [f"note: {note}" for note in report.notes]
    lines += [
        f"expired waiver {w.pattern} ({w.expires}): no longer applies"
        for w in report.expired_waivers
    ]
    if report.unused_waivers:
        patterns = ", ".join(w.pattern for w in report.unused_waivers)
        lines.append(f"{len(report.unused_waivers)} waiver(s) matched no finding: {patterns}")
    return lines


def render_plain(report: Report) -> str:
    """One line per finding, then the verdict: for logs and pipes."""
    lines = [f"comparing {report.local} with {report.target}"]
    for f in report.findings:
        tag = "waived" if f.waived else f.severity.value
        line = (
            f"{tag.upper():8} {f.component} {f.key}: local={show(f.local)} "
            f"target={show(f.target)} [{f.kind.value}] {f.reason}"
        )
        if f.remediation:
            line += f" | fix: {f.remediation}"
        if _extras(f):
            line += f" | {_extras(f)}"
        lines.append(line)
    lines += _trailer(report)
    lines.append(verdict(report))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    # A remediation that quotes a file line in backticks would break an inline code span.
    return _cell(text) if "`" in text else f"`{_cell(text)}`"


def render_markdown(report: Report) -> str:
    """A Markdown document for a pull-request comment."""
    icon = "✅" if report.passed else "❌"
    out = [
        f"### {icon} Parity {report.score.score:g}/100 — {report.local} vs {report.target}",
        "",
        verdict(report),
        "",
        "| component | score | critical | warning | info |",
        "|---|---:|---:|---:|---:|",
    ]
    for c in report.score.components:
        out.append(
            f"| {c.component} | {c.score:g} | {c.counts['critical']} | "
            f"{c.counts['warning']} | {c.counts['info']} |"
        )
    if report.findings:
        out += [
            "",
            "| severity | component | key | local | target | kind | remediation |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in report.findings:
            severity = f"~~{f.severity.value}~~ waived" if f.waived else f"**{f.severity.value}**"
            fix = _code(f.remediation) if f.remediation else ""
            if _extras(f):
                fix += f" ({_cell(_extras(f))})"
            out.append(
                f"| {severity} | {f.component} | `{_cell(f.key)}` | `{_cell(show(f.local))}` | "
                f"`{_cell(show(f.target))}` | {f.kind.value} | {fix} |"
            )
    trailer = _trailer(report)
    if trailer:
        out += ["", *[f"- {line}" for line in trailer]]
    return "\n".join(out) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: one annotation per finding and one for the verdict."""
    lines = []
    for f in report.findings:
        level = "notice" if f.waived else GITHUB_LEVEL[f.severity.value]
        title = _escape_property(f"parity {f.severity.value}: {f.component} {f.key}")
        message = f"local {show(f.local)}, target {show(f.target)}: {f.reason}."
        if f.remediation:
            message += f" Fix: {f.remediation}"
        if _extras(f):
            message += f" ({_extras(f)})"
        lines.append(f"::{level} title={title}::{_escape_data(message)}")
    for line in _trailer(report):
        lines.append(f"::notice title=parity::{_escape_data(line)}")
    level = "notice" if report.passed else "error"
    lines.append(f"::{level} title=parity score::{_escape_data(verdict(report))}")
    return "\n".join(lines) + "\n"
