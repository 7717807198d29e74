"""act's command line and its JSON log."""

from __future__ import annotations

import json
from pathlib import Path

from paws_ci import build_argv, parse_events
from paws_ci.act import ActOptions


def _options(**overrides: object) -> ActOptions:
    values: dict[str, object] = {
        "image": "paws/ci-runner:abc",
        "artifacts": Path("/r/.paws/artifacts"),
        "artifact_port": 40000,
    }
    values.update(overrides)
    return ActOptions(**values)  # type: ignore[arg-type]


class TestArgv:
    def test_local_image_no_pull_host_network(self) -> None:
        """Jobs run on the local runner image, never pulled, on the host's network."""
        argv = build_argv("act", _options())
        assert "ubuntu-latest=paws/ci-runner:abc" in argv
        assert "--pull=false" in argv
        assert argv[argv.index("--network") + 1] == "host"
        assert "--bind" in argv
        assert argv[argv.index("--artifact-server-path") + 1] == "/r/.paws/artifacts"
        assert argv[argv.index("--artifact-server-addr") + 1] == "127.0.0.1"

    def test_jobs_share_the_hosts_pids_for_fault_injection(self) -> None:
        """Jobs share the host's PIDs with nsenter's capabilities, not --privileged."""
        argv = build_argv("act", _options())
        assert "--privileged" not in argv
        options = argv[argv.index("--container-options") + 1].split()
        assert options[0] == "--pid=host" and "NET_ADMIN" in options and "SYS_ADMIN" in options

    def test_secret_values_never_in_argv(self) -> None:
        """Secrets are named with -s NAME; the value travels in act's environment."""
        argv = build_argv("act", _options(secret_names=("TOKEN",)))
        assert argv[argv.index("-s") + 1] == "TOKEN"

    def test_default_workflows_unless_given(self) -> None:
        """-W defaults to .github/workflows/ and is not added when passed through."""
        assert "-W" in build_argv("act", _options())
        argv = build_argv("act", _options(passthrough=("--workflows=x.yml", "-j", "a")))
        assert "-W" not in argv
        assert argv[-3:] == ["--workflows=x.yml", "-j", "a"]

    def test_offline_action_mapping(self) -> None:
        """A remote action with a stand-in is mapped with --local-repository."""
        argv = build_argv(
            "act", _options(local_actions=(("actions/upload-artifact@v4", Path("/r/a")),))
        )
        assert argv[argv.index("--local-repository") + 1] == "actions/upload-artifact@v4=/r/a"


def _line(**fields: object) -> str:
    return json.dumps(fields)


class TestEvents:
    def test_job_results_and_failed_step(self) -> None:
        """jobResult ends a job; a failing Main step is named."""
        jobs = parse_events(
            [
                _line(job="w/a", jobID="a", stage="Main", step="ok", stepID=["0"],
                      stepResult="success"),
                _line(job="w/a", jobID="a", stage="Main", step="boom", stepID=["1"],
                      stepResult="failure"),
                _line(job="w/b", jobID="b", jobResult="success"),
                _line(job="w/a", jobID="a", jobResult="failure"),
            ]
        )  # fmt: skip
        results = {j.job_id: (j.result, j.failed_steps) for j in jobs}
        assert results == {"a": ("failure", ["boom"]), "b": ("success", [])}

    def test_steps_inside_composite_actions_are_not_counted(self) -> None:
        """Only top-level steps (stepID of length 1) appear in a job's steps."""
        jobs = parse_events(
            [
                _line(job="w/a", jobID="a", stage="Main", step="inner", stepID=["1", "0"],
                      stepResult="failure"),
                _line(job="w/a", jobID="a", stage="Main", step="outer", stepID=["1"],
                      stepResult="failure"),
                _line(job="w/a", jobID="a", stage="Post", step="outer", stepID=["1"],
                      stepResult="success"),
            ]
        )  # fmt: skip
        assert jobs[0].failed_steps == ["outer"]
        assert len(jobs[0].steps) == 1

    def test_plain_text_lines_are_ignored(self) -> None:
        """act's non-JSON lines (server start, errors) do not create jobs."""
        assert parse_events(["Start server on http://127.0.0.1:1", "Error: boom"]) == []
