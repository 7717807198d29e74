"""The parity report: which steps act ran the way GitHub would."""

from __future__ import annotations

from pathlib import Path

from paws_ci import assess_parity
from paws_ci.workflow import parse_workflow

WORKFLOW = """\
on: push
concurrency: ci
jobs:
  plain:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo hi
      - uses: actions/setup-python@v5
      - run: echo "## summary" >> "$GITHUB_STEP_SUMMARY"
      - uses: ./actions/local
      - run: sleep 1
        timeout-minutes: 1
  limited:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    permissions:
      id-token: write
    steps:
      - run: echo hi
  skipped:
    runs-on: ubuntu-latest
    steps:
      - run: echo never
"""


def _report(tmp_path: Path, mapped: frozenset[str] = frozenset()):  # type: ignore[no-untyped-def]
    action = tmp_path / "actions" / "local"
    action.mkdir(parents=True)
    (action / "action.yml").write_text(
        "runs:\n  using: composite\n  steps:\n    - uses: actions/cache@v4\n", "utf-8"
    )
    workflow = parse_workflow(WORKFLOW, tmp_path / "w.yml")
    return assess_parity([workflow], {"plain", "limited"}, tmp_path, mapped)


def _notes(report, job: str) -> dict[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    found = next(j for j in report.jobs if j.job == job)
    return {s.step: s.notes for s in found.steps}


class TestSteps:
    def test_checkout_and_plain_runs_are_as_on_github(self, tmp_path: Path) -> None:
        """actions/checkout is served locally by act; plain run steps are faithful."""
        notes = _notes(_report(tmp_path), "plain")
        assert notes["Run actions/checkout@v4"] == ()
        assert notes["Run echo hi"] == ()

    def test_remote_action_is_unavailable_offline(self, tmp_path: Path) -> None:
        """A remote action other than checkout is marked."""
        assert "offline" in _notes(_report(tmp_path), "plain")["Run actions/setup-python@v5"][0]

    def test_mapped_remote_action_is_marked_as_stand_in(self, tmp_path: Path) -> None:
        """An action with an offline stand-in (--local-repository) is named as such."""
        report = _report(tmp_path, frozenset({"actions/setup-python"}))
        assert "stand-in" in _notes(report, "plain")["Run actions/setup-python@v5"][0]

    def test_step_summary_and_step_timeout(self, tmp_path: Path) -> None:
        """Writing $GITHUB_STEP_SUMMARY and a step timeout-minutes are act limits."""
        notes = _notes(_report(tmp_path), "plain")
        summary = next(v for k, v in notes.items() if "summary" in k)
        assert "step summaries" in summary[0]
        assert "timeout-minutes" in notes["Run sleep 1"][0]

    def test_remote_action_inside_local_composite(self, tmp_path: Path) -> None:
        """A local composite action that uses a remote action is marked too."""
        assert (
            "inside ./actions/local" in _notes(_report(tmp_path), "plain")["Run ./actions/local"][0]
        )


class TestJobs:
    def test_job_limits_mark_every_step(self, tmp_path: Path) -> None:
        """timeout-minutes and OIDC on a job: its steps did not run as on GitHub."""
        limited = next(j for j in _report(tmp_path).jobs if j.job == "limited")
        assert any("timeout-minutes" in n for n in limited.notes)
        assert any("OIDC" in n for n in limited.notes)
        assert not any(s.as_on_github for s in limited.steps)

    def test_counts_cover_jobs_that_ran(self, tmp_path: Path) -> None:
        """The summary line counts the steps of the jobs act ran, not skipped ones."""
        report = _report(tmp_path)
        assert report.total == 7
        assert report.as_on_github == 2
        assert report.summary_line() == "2 of 7 steps ran as on GitHub"
        assert report.to_dict()["summary"] == report.summary_line()
