"""Reading workflow files: jobs, steps, lines, and errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_ci import WorkflowError, load_workflow, load_workflows
from paws_ci.workflow import parse_workflow

GOOD = """\
name: demo
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: ruff
        run: ruff check
  unit:
    runs-on: ubuntu-latest
    steps:
      - run: |
          pytest -q
          echo done
"""


class TestParse:
    def test_jobs_and_steps_with_lines(self) -> None:
        """Jobs keep their order and the line they start on; steps get GitHub's names."""
        workflow = parse_workflow(GOOD, Path("demo.yml"))
        assert [j.id for j in workflow.jobs] == ["lint", "unit"]
        assert workflow.jobs[0].line == 4
        lint_steps = [(s.name, s.line) for s in workflow.jobs[0].steps]
        assert lint_steps == [("Run actions/checkout@v4", 7), ("ruff", 8)]
        assert workflow.jobs[1].steps[0].name == "Run pytest -q"

    def test_on_key_stays_a_string(self) -> None:
        """YAML 1.2: `on` is not turned into True."""
        assert "on" in parse_workflow(GOOD, Path("demo.yml")).keys


class TestErrors:
    def test_yaml_error_names_file_and_line(self, tmp_path: Path) -> None:
        """A broken workflow is reported with its path and the line of the problem."""
        broken = tmp_path / "broken.yml"
        broken.write_text("on: push\njobs:\n  a:\n    steps: [\n      - run: x\n", "utf-8")
        with pytest.raises(WorkflowError) as caught:
            load_workflow(broken)
        assert str(broken) in caught.value.message
        assert " line " in caught.value.message

    def test_not_a_workflow(self, tmp_path: Path) -> None:
        """A YAML file without jobs is refused clearly."""
        path = tmp_path / "x.yml"
        path.write_text("name: nothing\n", "utf-8")
        with pytest.raises(WorkflowError, match="no `jobs:`"):
            load_workflow(path)

    def test_missing_target(self, tmp_path: Path) -> None:
        """A -W path that does not exist is named."""
        with pytest.raises(WorkflowError, match="no such workflow"):
            load_workflows(tmp_path / "nope")

    def test_directory_reads_every_workflow(self, tmp_path: Path) -> None:
        """A directory target reads its .yml/.yaml files, sorted."""
        (tmp_path / "b.yaml").write_text(GOOD, "utf-8")
        (tmp_path / "a.yml").write_text(GOOD, "utf-8")
        (tmp_path / "notes.txt").write_text("x", "utf-8")
        assert [w.path.name for w in load_workflows(tmp_path)] == ["a.yml", "b.yaml"]
