"""Podman as the engine (issue 12): `PAWS_ENGINE=podman`, compose v2 on Podman's API socket.

Runs where podman is installed (`apt-get install podman netavark aardvark-dns catatonit`);
CI machines have only Docker, and the suite skips there. On a host that also runs dockerd,
Docker's firewall cuts Podman's internal networks: the first test sees paws refuse with the
rule that fixes it, then the module adds that rule and removes it again at the end.
The project has no apps: the commands under test concern the engine and the infrastructure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conftest import cli
from helpers import scratch_env
from paws_stack import podman, podmannet
from paws_stack.errors import HostCheckError

pytestmark = [
    pytest.mark.podman,
    pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed"),
]

SERVICE = podman.docker_host({})


@dataclass
class PodmanProject:
    env: dict[str, str]
    blocked: bool  # Docker's firewall cut Podman's bridges before this module opened them


def _podman(*args: str) -> subprocess.CompletedProcess[str]:
    argv = ["podman", "--remote", "--url", SERVICE, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def _bridges_blocked() -> bool:
    try:
        podmannet.require_open_bridges()
    except HostCheckError:
        return True
    return False


def _stop_service_we_started() -> None:
    """The service `up` started for this module, found by its exact command line."""
    pattern = f"podman system service --time=0 {SERVICE}$"  # launched by its full path
    listed = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    for pid in listed.stdout.split():
        subprocess.run(["kill", pid], check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PodmanProject]:
    secrets = tmp_path_factory.mktemp("podman") / "secrets"
    secrets.mkdir(mode=0o700)
    env = {**scratch_env("podman", 700, secrets), "PAWS_ENGINE": "podman", "PAWS_APPS": "false"}
    service_was_running = _podman("info").returncode == 0
    blocked = _bridges_blocked()
    try:
        yield PodmanProject(env, blocked)
    finally:
        cli("down", "--volumes", "--yes", env=env, timeout=300)
        if blocked:
            subprocess.run(["iptables", "-D", *podmannet.BRIDGE_RULE], check=False)
        if not service_was_running:
            _stop_service_we_started()


def test_a_firewall_that_cuts_podmans_networks_is_refused_at_once(project: PodmanProject) -> None:
    """Beside dockerd, `up` refuses before creating anything and names the one rule; the
    module then adds it. Without dockerd's firewall, nothing is refused."""
    if not project.blocked:
        assert not _bridges_blocked()
        return
    refused = cli("up", "--yes", env=project.env, timeout=600)
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert "Podman's internal networks" in refused.stderr
    assert podmannet.ALLOW in refused.stderr and podmannet.UNDO in refused.stderr
    listed = _podman("ps", "-a", "--filter", f"label=com.docker.compose.project="
                     f"{project.env['PAWS_PROJECT_NAME']}", "--format", "{{.Names}}")  # fmt: skip
    assert listed.stdout.strip() == "", "the refused up created containers"
    subprocess.run(["iptables", "-I", *podmannet.BRIDGE_RULE], check=True)


def test_up_on_podman_ends_healthy_with_its_healthchecks_run(project: PodmanProject) -> None:
    """`up` starts Podman's service (if none runs), builds what it lacks through it, and
    ends healthy; every container's own healthcheck has run (no systemd timers here: paws'
    healthcheck runner ran them), so compose's `service_healthy` ordering held."""
    up = cli("up", "--yes", env=project.env, timeout=900)
    assert up.returncode == 0, up.stderr[-3000:]
    health = json.loads(cli("health", "--json", env=project.env, timeout=120).stdout)
    assert health["healthy"], health["problems"]
    assert len(health["components"]) == 13
    listed = _podman("ps", "--filter", f"label=com.docker.compose.project="
                     f"{project.env['PAWS_PROJECT_NAME']}", "--format", "{{.Status}}")  # fmt: skip
    statuses = listed.stdout.split("\n")[:-1]
    assert len(statuses) == 13, listed.stdout
    checked = [s for s in statuses if "(" in s]  # haproxy has no healthcheck of its own
    assert checked and all("(healthy)" in s for s in checked), statuses


def test_status_and_endpoints_on_podman(project: PodmanProject) -> None:
    """One leader among the Patroni members; endpoints name the published loopback ports."""
    status = json.loads(cli("status", "--json", env=project.env, timeout=120, check=True).stdout)
    assert [m["role"] for m in status["members"] if m["kind"] == "patroni"].count("leader") == 1
    shown = json.loads(cli("endpoints", "--json", env=project.env, check=True).stdout)
    assert f"127.0.0.1:{project.env['PAWS_PG_PORT']}/" in json.dumps(shown)


def test_down_removes_everything_the_project_made(project: PodmanProject) -> None:
    """`down --volumes` leaves no container, volume or network of the project on Podman."""
    down = cli("down", "--volumes", "--yes", env=project.env, timeout=300)
    assert down.returncode == 0, down.stderr[-2000:]
    label = f"label=com.docker.compose.project={project.env['PAWS_PROJECT_NAME']}"
    for kind in ("ps -a", "volume ls", "network ls"):
        left = _podman(*kind.split(), "--filter", label, "--format", "{{.Names}}" if kind ==
                       "ps -a" else "{{.Name}}")  # fmt: skip
        assert left.returncode == 0 and left.stdout.strip() == "", (kind, left.stdout)
