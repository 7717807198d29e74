"""TC-007: secrets stay in 0600 files; containers are hardened; ports stay on loopback."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from conftest import cli
from paws_stack import Stack
from paws_stack.secrets import SECRET_NAMES

pytestmark = pytest.mark.stack


def _secret_values(stack: Stack) -> dict[str, str]:
    return {name: stack.secrets.read(name) for name in SECRET_NAMES}


def _containers(stack: Stack) -> list:  # type: ignore[type-arg]
    return [stack.client().containers.get(m.container) for m in stack.inventory().members]


def _server_pid(main_pid: int) -> int:
    """The server process: the main one, or, under the engine's init (tini), its child."""
    if Path(f"/proc/{main_pid}/comm").read_text().strip() not in ("docker-init", "tini"):
        return main_pid
    children = Path(f"/proc/{main_pid}/task/{main_pid}/children").read_text().split()
    return int(children[0])


def test_tc007_secret_files_are_private(stack: Stack) -> None:
    """Every secret exists with mode 0600 inside a 0700 directory."""
    assert stat.S_IMODE(stack.secrets.path.stat().st_mode) == 0o700
    for name in SECRET_NAMES:
        assert stat.S_IMODE(stack.secrets.file(name).stat().st_mode) == 0o600, name


def test_tc007_no_secret_in_env_argv_labels_or_logs(stack: Stack) -> None:
    """No password appears in any container's env, command line, labels, image or logs."""
    values = _secret_values(stack)
    for container in _containers(stack):
        config = container.attrs["Config"]
        exposed = " ".join(
            [
                *(config.get("Env") or []),
                *(config.get("Cmd") or []),
                *(container.attrs.get("Args") or []),
                *map(str, (config.get("Labels") or {}).values()),
            ]
        )
        top = container.top(ps_args="-eo pid,args")["Processes"]
        exposed += " ".join(" ".join(row) for row in top)
        image_history = " ".join(str(h.get("CreatedBy", "")) for h in container.image.history())
        logs = container.logs().decode(errors="replace")
        for name, value in values.items():
            for where, text in (
                ("env/argv/labels/processes", exposed),
                ("image history", image_history),
                ("logs", logs),
            ):
                assert value not in text, f"{name} leaked into {container.name} {where}"


def test_tc007_containers_are_hardened(stack: Stack) -> None:
    """no-new-privileges everywhere, capabilities dropped, servers run as non-root users."""
    for container in _containers(stack):
        host = container.attrs["HostConfig"]
        assert "no-new-privileges:true" in (host.get("SecurityOpt") or []), container.name
        assert "ALL" in (host.get("CapDrop") or []), container.name
        # The server is the container's main process (the entrypoint exec'd into it after
        # dropping privileges); read its real uid from the host's /proc.
        pid = _server_pid(container.attrs["State"]["Pid"])
        status = Path(f"/proc/{pid}/status").read_text()
        uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
        assert uid != "0", f"{container.name}: the server (pid {pid}) runs as root"


def test_tc007_frontend_never_reaches_the_data_tier(stack: Stack) -> None:
    """The frontend is on the app network only, with no secret files; the backend on both."""
    containers = {c.labels.get("com.docker.compose.service"): c for c in _containers(stack)}
    frontend, backend = containers["frontend"], containers["backend"]
    assert set(frontend.attrs["NetworkSettings"]["Networks"]) == {f"{stack.project}_app"}
    assert set(backend.attrs["NetworkSettings"]["Networks"]) == {
        f"{stack.project}_app",
        f"{stack.project}_infra",
    }
    assert not [m for m in frontend.attrs["Mounts"] if "/run/secrets" in m["Destination"]]


def test_tc007_ports_published_on_loopback_only(stack: Stack) -> None:
    """Only HAProxy and the apps publish ports, and only on 127.0.0.1."""
    publishers = ("haproxy", "backend", "frontend")
    for container in _containers(stack):
        bindings = container.attrs["HostConfig"].get("PortBindings") or {}
        if not any(container.name.startswith(f"{stack.project}-{s}-") for s in publishers):
            assert not bindings, f"{container.name} publishes {bindings}"
            continue
        hosts = {b["HostIp"] for bound in bindings.values() for b in bound}
        assert hosts == {"127.0.0.1"}


def test_tc007_endpoints_mask_passwords_unless_asked(stack: Stack) -> None:
    """`endpoints` prints a mask; `--show-secrets` prints the real, working password."""
    masked = cli("endpoints", "--json", check=True).stdout
    shown = cli("endpoints", "--json", "--show-secrets", check=True).stdout
    for value in _secret_values(stack).values():
        assert value not in masked
    assert stack.secrets.read("pg_app_password") in shown
    assert "********" in masked


def test_tc007_healthcheck_commands_carry_no_password(stack: Stack) -> None:
    """Healthchecks read the password from the secret file, not from their arguments."""
    values = _secret_values(stack)
    for container in _containers(stack):
        test = " ".join(container.attrs["Config"].get("Healthcheck", {}).get("Test") or [])
        assert not any(v in test for v in values.values())
    result = subprocess.run(
        ["docker", "inspect", *(c.name for c in _containers(stack))],
        capture_output=True,
        text=True,
        check=True,
    )
    assert not any(v in result.stdout for v in values.values())


def _etcd(stack: Stack, path: str, body: dict, token: str | None = None) -> dict:  # type: ignore[type-arg]
    import httpx

    from helpers import address

    headers = {"Authorization": token} if token else {}
    answer = httpx.post(
        f"http://{address(stack, 'etcd-0')}:2379/v3/{path}", json=body, headers=headers, timeout=5
    )
    return dict(answer.json())


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def test_tc036_etcd_refuses_anonymous_clients_and_fences_patroni(stack: Stack) -> None:
    """etcd authentication is on: without a user nothing can be read or written; Patroni's
    user reads its own namespace (/service/) and may write nothing outside it."""
    anonymous = _etcd(stack, "kv/put", {"key": _b64("/service/paws/config"), "value": _b64("x")})
    assert "user name is empty" in anonymous.get("message", ""), anonymous
    login = {"name": "patroni", "password": stack.secrets.read("etcd_patroni_password")}
    token = _etcd(stack, "auth/authenticate", login)["token"]
    own = _etcd(
        stack, "kv/range", {"key": _b64("/service/"), "range_end": _b64("/service0")}, token
    )
    assert int(own.get("count", 0)) > 0, own  # Patroni's leader key, config, members
    outside = _etcd(stack, "kv/put", {"key": _b64("/elsewhere"), "value": _b64("x")}, token)
    assert "permission denied" in outside.get("message", ""), outside
    wrong = {"name": "patroni", "password": "not-the-password-0000"}
    assert "token" not in _etcd(stack, "auth/authenticate", wrong)
