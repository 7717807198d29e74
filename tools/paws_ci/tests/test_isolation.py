"""Local CI isolation: CI-only secrets by default, the trust notice once, a non-root job user."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from paws_ci import PawsCiError, cli
from paws_ci.act import HOST_CONTAINER_OPTIONS, ActRun, JobResult
from paws_ci.jobuser import JobUser, parse_job_user
from paws_ci.settings import CiSettings

OK = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one workflow and a developer stack secret; no engine needed."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(OK, "utf-8")
    stack = tmp_path / ".paws" / "secrets"
    stack.mkdir(parents=True)
    (stack / "pg_app_password").write_text("developer-own-password\n", "utf-8")
    for name in ("PAWS_SECRETS_DIR", "PAWS_CI_SECRETS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "_runner_image", lambda settings, build: "paws/ci-runner:x")
    return tmp_path


@pytest.fixture()
def act_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What paws-ci hands to act: argv and environment of each run."""
    calls: list[dict[str, Any]] = []

    def fake_run_act(argv: list[str], cwd: Path, env: dict[str, str], *_: object) -> ActRun:
        calls.append({"argv": argv, "env": env})
        return ActRun(0, [JobResult(name="ci/a", job_id="a", result="success")], [], 1.0)

    monkeypatch.setattr(cli, "run_act", fake_run_act)
    return calls


def _run(repo: Path, *args: str) -> int:
    return cli.main(["--repo", str(repo), "run", *args])


class TestSecrets:
    def test_jobs_get_generated_ci_secrets_not_the_stack_ones(
        self, repo: Path, act_calls: list[dict[str, Any]]
    ) -> None:
        """Default: .paws/ci/secrets is generated (0700 dir, 0600 files) and only it is passed."""
        assert _run(repo) == 0
        ci_dir = repo / ".paws" / "ci" / "secrets"
        assert stat.S_IMODE(ci_dir.stat().st_mode) == 0o700
        # The secrets; the directory's own .gitignore and paws' marker are not secret.
        files = sorted(f for f in ci_dir.iterdir() if not f.name.startswith("."))
        assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
        env = act_calls[0]["env"]
        assert env["PG_APP_PASSWORD"] == (ci_dir / "pg_app_password").read_text("utf-8").strip()
        assert "developer-own-password" not in env.values()
        argv = act_calls[0]["argv"]
        values = [(f).read_text("utf-8").strip() for f in files]
        assert "PG_APP_PASSWORD" in argv
        assert not any(value in arg for value in values for arg in argv)

    def test_stack_secrets_only_when_asked(
        self, repo: Path, act_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--use-stack-secrets passes the developer's secrets, says so, and generates nothing."""
        assert _run(repo, "--use-stack-secrets") == 0
        assert act_calls[0]["env"]["PG_APP_PASSWORD"] == "developer-own-password"
        assert "stack's secrets" in capsys.readouterr().err
        assert not (repo / ".paws" / "ci" / "secrets").exists()

    def test_existing_ci_secrets_are_kept(
        self, repo: Path, act_calls: list[dict[str, Any]]
    ) -> None:
        """A second run reuses the CI secrets (the CI stack's volumes hold them)."""
        assert _run(repo) == 0
        first = act_calls[0]["env"]["PG_APP_PASSWORD"]
        assert _run(repo) == 0
        assert act_calls[1]["env"]["PG_APP_PASSWORD"] == first


class TestNotice:
    def test_said_once_on_stderr(
        self, repo: Path, act_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The first run says jobs drive the engine (root-equivalent) and get the tree; once."""
        assert _run(repo) == 0
        first = capsys.readouterr()
        assert "root-equivalent on the host" in first.err
        assert "working tree" in first.err
        assert "root-equivalent" not in first.out
        assert _run(repo) == 0
        assert "root-equivalent" not in capsys.readouterr().err


class TestJobUser:
    def test_checkout_owner_runs_the_jobs(
        self, repo: Path, act_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """auto: the checkout owner's uid/gid plus the socket's group, merged with the user's."""
        from paws_ci import jobuser

        monkeypatch.setattr(
            jobuser, "job_user", lambda spec, path: jobuser.parse_job_user(spec, 1000, 1001, 998)
        )
        monkeypatch.setattr(cli, "job_user", jobuser.job_user)
        assert _run(repo, "--", "--container-options", "--cpus 1") == 0
        argv = act_calls[0]["argv"]
        options = argv[argv.index("--container-options") + 1]
        assert options == f"{HOST_CONTAINER_OPTIONS} --user 1000:1001 --group-add 998 --cpus 1"
        assert argv.count("--container-options") == 1

    def test_root_owned_checkout_adds_no_user(
        self, repo: Path, act_calls: list[dict[str, Any]]
    ) -> None:
        """A checkout owned by the test's own user: root here adds no --user; others do."""
        assert _run(repo) == 0
        argv = act_calls[0]["argv"]
        if repo.stat().st_uid == 0:
            assert argv[argv.index("--container-options") + 1] == HOST_CONTAINER_OPTIONS
        else:
            assert f"--user {repo.stat().st_uid}:" in argv[argv.index("--container-options") + 1]

    @pytest.mark.parametrize("spec", ["nobody", "1000:", "-1", "1000:x"])
    def test_bad_spec_is_refused(self, spec: str) -> None:
        """Anything but auto, root or UID[:GID] is one clear error."""
        with pytest.raises(PawsCiError, match="--job-user"):
            parse_job_user(spec, 1000, 1000, None)

    def test_a_uid_that_does_not_own_the_checkout_is_refused(self) -> None:
        """act would chown the bind-mounted checkout to the job user: only its owner is allowed."""
        with pytest.raises(PawsCiError, match="chown the whole checkout") as caught:
            parse_job_user("65534", 1000, 1000, 990)
        assert "--job-user auto" in caught.value.remediation

    def test_bad_spec_exits_2_before_act(
        self, repo: Path, act_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert _run(repo, "--job-user", "nobody") == 2
        assert act_calls == [] and "fix:" in capsys.readouterr().err

    def test_explicit_owner_and_root(self) -> None:
        assert parse_job_user("1000:50", 1000, 1000, 990) == JobUser(1000, 50, 990)
        assert parse_job_user("0:0", 1000, 1000, 990) is None
        assert parse_job_user("root", 1000, 1000, 990) is None


def test_job_tests_use_the_ci_stack(tmp_path: Path) -> None:
    """Jobs' `nox -s integration` gets PAWS_TEST_* = the CI project, ports and secrets."""
    settings = CiSettings.load(tmp_path, {"PAWS_CI_PG_PORT": "61000"})
    env = settings.job_env
    assert env["PAWS_TEST_PROJECT_NAME"] == env["PAWS_PROJECT_NAME"] == "pawsci"
    assert env["PAWS_TEST_PG_PORT"] == "61000"
    assert env["PAWS_TEST_SECRETS_DIR"] == str(tmp_path.resolve() / ".paws" / "ci" / "secrets")
