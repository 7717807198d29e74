"""TC-042..TC-045: concurrency, identity, deletion and interruption safety of paws-stack.

Each test runs a lite project of its own (its own name, secrets and ports, derived from the
session's test settings), so it needs neither the shared stack nor a particular order, and
removes what it created in `finally`.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, cli, new_stack, wait_for
from helpers import like_a_terminal, scratch_env
from paws_stack.secrets import SECRET_NAMES

pytestmark = [pytest.mark.resilience]


def project_state(env: dict[str, str]) -> dict[str, Any]:
    """What the engine holds of the scratch lite project: container ids, volumes, networks."""
    stack = new_stack(profile="lite", project_name=env["PAWS_PROJECT_NAME"])
    client, label = stack.client(), {"label": f"com.docker.compose.project={stack.project}"}
    return {
        "containers": sorted(c.id for c in client.containers.list(all=True, filters=label)),
        "volumes": sorted(v.name for v in client.volumes.list(filters=label)),
        "networks": sorted(n.name for n in client.networks.list(filters=label)),
    }


def tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every path under `root` with its mode and content: "nothing changed on disk"."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (
            stat.S_IMODE(p.stat().st_mode),
            p.read_bytes() if p.is_file() else b"",
        )
        for p in [root, *sorted(root.rglob("*"))]
    }


def one_error(stderr: str) -> str:
    """Exactly one `error:` line, a `fix:` line, and no traceback."""
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert "  fix: " in stderr and "Traceback" not in stderr, stderr
    return errors[0]


def start(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "paws_stack.cli", *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=like_a_terminal,
    )


@pytest.fixture
def race_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = scratch_env("race", 100, tmp_path / "secrets")
    yield env
    cli("down", "--volumes", "--yes", "--profile", "lite", env=env)


def test_tc042_two_first_ups_at_once_one_waits_one_set_of_secrets(
    race_env: dict[str, str], tmp_path: Path
) -> None:
    """Two first-time `up` runs at once: one waits naming the other, both end healthy, and
    the secrets are generated once (the stack authenticates with the files on disk)."""
    assert project_state(race_env)["volumes"] == [], "the scratch project must start fresh"
    first = start("up", "--profile", "lite", "--yes", env=race_env)
    second = start("up", "--profile", "lite", "--yes", env=race_env)
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    stderrs = [err for _, err in outputs]
    assert codes == [0, 0], stderrs
    waited = [err for err in stderrs if "waiting for `" in err]
    assert len(waited) == 1, stderrs
    other = second if waited[0] is stderrs[0] else first
    assert f"(pid {other.pid}, for " in waited[0], waited[0]
    generated = [err for err in stderrs if f"generated {len(SECRET_NAMES)} secrets" in err]
    assert len(generated) == 1, "secrets were generated twice"
    secrets = tmp_path / "secrets"
    assert sorted(p.name for p in secrets.iterdir() if p.name in SECRET_NAMES) == sorted(
        SECRET_NAMES
    )
    health = cli("health", "--profile", "lite", env=race_env)
    assert health.returncode == 0, health.stderr
    print(f"\n[paws] TC-042: both ups exit 0; the waiting one: {waited[0].splitlines()[0]!r}")


@pytest.fixture
def clone(tmp_path: Path) -> Iterator[Path]:
    """A second checkout of this repository (a git worktree of HEAD) in a temp directory."""
    path = tmp_path / "clone"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), "HEAD"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    yield path
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True
    )


def test_tc043_second_clone_with_the_same_project_name_is_refused(
    clone: Path, tmp_path: Path
) -> None:
    """A second checkout using the same project name may neither start, stop nor wipe it:
    exit 2, one line naming the other checkout and the PAWS_PROJECT_NAME fix, nothing changed
    in the engine. Once the first is down (volumes kept), the clone still may not wipe them."""
    env = scratch_env("clone", 200, tmp_path / "secrets")
    try:
        assert cli("up", "--profile", "lite", "--yes", env=env).returncode == 0
        before = project_state(env)
        for args in (("up", "--yes"), ("down",), ("down", "--volumes", "--yes")):
            result = subprocess.run(
                [sys.executable, "-m", "paws_stack.cli", *args, "--profile", "lite"],
                cwd=clone,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 2, (args, result.stderr)
            line = one_error(result.stderr)
            assert f"belongs to another checkout ({ROOT})" in line, line
            assert f"export PAWS_PROJECT_NAME={env['PAWS_PROJECT_NAME']}-" in result.stderr
            assert project_state(env) == before, f"{args} changed the engine"
        assert cli("down", "--profile", "lite", env=env).returncode == 0
        kept = project_state(env)["volumes"]
        # The clone with its own (default) secrets directory, as a real second clone has.
        own = {k: v for k, v in env.items() if k != "PAWS_SECRETS_DIR"}
        result = subprocess.run(
            [sys.executable, "-m", "paws_stack.cli", "down", "--volumes", "--yes"],
            cwd=clone,
            env={**{k: v for k, v in os.environ.items() if k != "PAWS_SECRETS_DIR"}, **own},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 2, result.stderr
        assert "its volumes exist, its containers do not" in one_error(result.stderr)
        assert project_state(env)["volumes"] == kept, "the clone deleted the other's data"
    finally:
        cli("down", "--volumes", "--yes", "--profile", "lite", env=env)


class TestTc044BadInputChangesNothing:
    """Each refusal: exit 2, one line with its fix, nothing changed on disk or in the engine."""

    def test_foreign_secrets_directory(self, tmp_path: Path) -> None:
        """PAWS_SECRETS_DIR at a directory holding someone's files (think /tmp): refused;
        its files, modes and its parent stay exactly as they were; no container is made."""
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o1777)
        (shared / "someone-else.txt").write_text("theirs", "utf-8")
        env = scratch_env("bad", 300, shared)
        before = tree(tmp_path)
        result = cli("up", "--profile", "lite", "--yes", env=env)
        assert result.returncode == 2, result.stderr
        assert "already holds files paws did not create (someone-else.txt)" in one_error(
            result.stderr
        )
        assert "fix: point PAWS_SECRETS_DIR at a new or empty directory" in result.stderr
        assert tree(tmp_path) == before
        assert project_state(env) == {"containers": [], "volumes": [], "networks": []}

    @pytest.mark.parametrize(
        ("setting", "value", "said"),
        [
            ("PAWS_BIND_ADDRESS", "::1", "IPv6 is not supported"),
            ("PAWS_PROJECT_NAME", "pawstest-lite", "is the lite project of pawstest"),
        ],
    )
    def test_refused_settings(self, tmp_path: Path, setting: str, value: str, said: str) -> None:
        """`::1` (breaks compose's port spec) and `<name>-lite` (is another project)."""
        env = {**scratch_env("bad", 300, tmp_path / "secrets"), setting: value}
        result = cli("up", "--profile", "lite", "--yes", env=env)
        assert result.returncode == 2
        line = one_error(result.stderr)
        assert line.startswith(f"error: invalid setting {setting}={value!r}") and said in line
        assert not (tmp_path / "secrets").exists()
        assert project_state(scratch_env("bad", 300, None))["containers"] == []

    def test_down_volumes_without_a_terminal_or_yes(self, tmp_path: Path) -> None:
        """`down --volumes` from a script without --yes: refused, naming every volume."""
        env = scratch_env("bad", 300, tmp_path / "secrets")
        try:
            assert cli("up", "--profile", "lite", "--yes", env=env).returncode == 0
            before = project_state(env)
            result = cli("down", "--volumes", "--profile", "lite", env=env)
            assert result.returncode == 2
            line = one_error(result.stderr)
            assert all(volume in line for volume in before["volumes"]), line
            assert "fix: add --yes" in result.stderr
            assert project_state(env) == before
        finally:
            cli("down", "--volumes", "--yes", "--profile", "lite", env=env)

    def test_no_wait_while_another_command_holds_the_project(self, tmp_path: Path) -> None:
        """`up --no-wait` while another command holds the project: refused, naming it."""
        env = scratch_env("bad", 300, tmp_path / "secrets")
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, time; from pathlib import Path; from paws_stack import ProjectLock\n"
                "with ProjectLock.of(Path(sys.argv[1]), sys.argv[2]).hold('restore'):\n"
                "    print('held', flush=True); time.sleep(60)",
                str(ROOT / ".paws"),
                env["PAWS_PROJECT_NAME"],
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            result = cli("up", "--profile", "lite", "--yes", "--no-wait", env=env)
            assert result.returncode == 2
            line = one_error(result.stderr)
            assert f"project {env['PAWS_PROJECT_NAME']} is busy" in line
            assert f"(pid {holder.pid}, for " in line
            assert not (tmp_path / "secrets").exists()
            assert project_state(env)["containers"] == []
        finally:
            holder.kill()
            holder.wait()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_tc045_sigterm_or_sighup_during_first_up_removes_what_it_made(
    tmp_path: Path, signum: int, code: int
) -> None:
    """SIGTERM or SIGHUP during a first `up` is handled like Ctrl-C: compose is stopped and
    everything that run created is removed (exit 128 + n); nothing keeps starting after."""
    env = scratch_env("sig", 400, tmp_path / "secrets")
    try:
        process = start("up", "--profile", "lite", "--yes", env=env)
        wait_for(lambda: project_state(env)["containers"], 120, "up created a container")
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == code, stderr
        assert "interrupted" in stderr and "Traceback" not in stderr
        assert project_state(env) == {"containers": [], "volumes": [], "networks": []}
        time.sleep(5)  # a compose left running would go on creating containers
        assert project_state(env)["containers"] == [], "compose kept running after the signal"
    finally:
        cli("down", "--volumes", "--yes", "--profile", "lite", env=env)


def test_tc045_interrupted_up_keeps_what_existed_before(tmp_path: Path) -> None:
    """An `up` on existing volumes, interrupted: its new containers go, the volumes stay."""
    env = scratch_env("sig", 400, tmp_path / "secrets")
    try:
        assert cli("up", "--profile", "lite", "--yes", env=env).returncode == 0
        assert cli("down", "--profile", "lite", env=env).returncode == 0
        volumes = project_state(env)["volumes"]
        assert volumes
        process = start("up", "--profile", "lite", "--yes", env=env)
        wait_for(lambda: project_state(env)["containers"], 120, "up created a container")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 130, stderr
        state = project_state(env)
        assert state["containers"] == [] and state["volumes"] == volumes, state
    finally:
        cli("down", "--volumes", "--yes", "--profile", "lite", env=env)
