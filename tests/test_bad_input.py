"""TC-008: bad input and faults give one clear message, exit 2, and change nothing."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

from conftest import StartedStack, cli, new_stack

pytestmark = pytest.mark.exclusive

SCRATCH = {"PAWS_PROJECT_NAME": "pawsbad"}


def _no_project(name: str) -> bool:
    stack = new_stack(project_name=name)
    return not stack.inventory().members and not stack.inventory().volumes


def _one_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return stderr


def test_tc008_malformed_setting_names_it(started: StartedStack) -> None:
    """PAWS_PG_PORT=abc: one message naming the variable, exit 2, nothing started."""
    result = cli("up", "--yes", env={**SCRATCH, "PAWS_PG_PORT": "abc"})
    assert result.returncode == 2
    assert "PAWS_PG_PORT" in _one_error(result.stderr)
    assert _no_project("pawsbad")


def test_tc008_port_in_use_names_port_and_process(started: StartedStack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A taken host port is named with the process holding it; nothing is half-started."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = cli(
            "up",
            "--yes",
            env={
                **SCRATCH,
                "PAWS_PG_PORT": str(port),
                "PAWS_SECRETS_DIR": str(tmp_path / "secrets"),
            },
        )
    assert result.returncode == 2
    message = _one_error(result.stderr)
    assert f"127.0.0.1:{port}" in message and "PAWS_PG_PORT" in message
    assert f"pid {os.getpid()}" in message
    assert _no_project("pawsbad")
    assert not (tmp_path / "secrets").exists(), "secrets were created for a failed start"


def test_tc008_engine_missing_gives_os_remediation(started: StartedStack) -> None:
    """No docker client on PATH: the message says what to install on this OS."""
    bare_path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (shutil.which("docker", path=p))
    )
    result = cli("health", env={"PATH": bare_path})
    assert result.returncode == 2
    message = _one_error(result.stderr)
    assert "docker" in message.lower() and "fix:" in message


def test_tc008_daemon_down_gives_remediation(started: StartedStack) -> None:
    """A daemon that does not answer is reported with how to start it."""
    result = cli("health", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert result.returncode == 2
    message = _one_error(result.stderr)
    assert "fix:" in message


def test_tc008_low_memory_warning_names_lite_profile() -> None:
    """Less memory than the full profile needs is a warning that points at --profile lite."""
    from paws_stack.hostcheck import check_memory

    check = check_memory("full", 1024**3)  # 1 GiB: enough for lite, not full
    assert check.level == "warning"
    assert "lite" in check.detail


@pytest.mark.parametrize("damage", ["delete", "corrupt"])
def test_tc008_damaged_secrets_with_volumes_refuse_to_start(
    started: StartedStack, damage: str
) -> None:
    """Volumes hold the old passwords: say so and how to recover; never regenerate."""
    stack = started.stack
    secrets_dir = stack.secrets.path
    backup = secrets_dir.with_name(secrets_dir.name + ".bak")
    shutil.copytree(secrets_dir, backup)
    try:
        if damage == "delete":
            shutil.rmtree(secrets_dir)
        else:
            stack.secrets.file("redis_password").write_text("!!garbage!!")
        result = cli("up", "--yes")
        assert result.returncode == 2
        message = _one_error(result.stderr)
        assert "volumes" in message and "old passwords" in message
        assert "down --volumes" in message and "restore" in message
        if damage == "delete":
            assert not secrets_dir.exists(), "secrets were silently regenerated"
        else:
            assert stack.secrets.file("redis_password").read_text() == "!!garbage!!"
    finally:
        shutil.rmtree(secrets_dir, ignore_errors=True)
        shutil.copytree(backup, secrets_dir)
        shutil.rmtree(backup)
