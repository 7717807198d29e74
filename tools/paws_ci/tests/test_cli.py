"""The console script: exit codes and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_ci import cli
from paws_ci.act import ActRun, JobResult


def _repo(tmp_path: Path, workflow: str) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(workflow, "utf-8")
    return tmp_path


OK = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"


@pytest.fixture()
def no_engine_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_runner_image", lambda settings, build: "paws/ci-runner:x")


def test_workflow_error_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A YAML error is found before any container starts: exit 2, file and line named."""
    repo = _repo(tmp_path, "on: push\njobs:\n  a: [\n")
    assert cli.main(["--repo", str(repo), "run"]) == 2
    err = capsys.readouterr().err
    assert "ci.yml line" in err and "fix:" in err


def test_failed_job_exits_1_with_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_engine_needed: None,
) -> None:
    """A failing job: exit 1, the table names the job and the step, parity line printed."""
    job = JobResult(name="ci/a", job_id="a", result="failure", started=0, finished=2)
    job.steps.append(cli.run_act.__globals__["StepResult"]("Run echo", "failure"))
    monkeypatch.setattr(cli, "run_act", lambda *a, **k: ActRun(1, [job], [], 2.0))
    assert cli.main(["--repo", str(_repo(tmp_path, OK)), "run"]) == 1
    out = capsys.readouterr().out
    assert "ci/a  failure  2.0s      Run echo" in out
    assert out.rstrip().endswith("1 of 1 steps ran as on GitHub")


def test_act_failure_outside_jobs_shows_last_lines(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_engine_needed: None,
) -> None:
    """act failing before any job: exit 2 with act's own last lines."""
    monkeypatch.setattr(
        cli, "run_act", lambda *a, **k: ActRun(1, [], ["Error: workflow is not valid"], 0.1)
    )
    assert cli.main(["--repo", str(_repo(tmp_path, OK)), "run"]) == 2
    assert "Error: workflow is not valid" in capsys.readouterr().err


def test_json_is_one_document_on_stdout(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_engine_needed: None,
) -> None:
    """--json: stdout holds exactly one JSON report."""
    import json

    job = JobResult(name="ci/a", job_id="a", result="success")
    monkeypatch.setattr(cli, "run_act", lambda *a, **k: ActRun(0, [job], [], 1.0))
    assert cli.main(["--repo", str(_repo(tmp_path, OK)), "run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == 0
    assert report["parity"]["summary"] == "1 of 1 steps ran as on GitHub"


def test_no_engine_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No docker at all: exit 2 saying how to get an engine."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert cli.main(["--repo", str(_repo(tmp_path, OK)), "run"]) == 2
    assert "no container engine" in capsys.readouterr().err
