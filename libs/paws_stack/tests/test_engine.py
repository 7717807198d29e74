"""Tests for paws_stack.engine: parsing, detection with a fake host, remediation per OS."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest
from _fakes import USABLE_ENGINE
from _fakes import engine as info

from paws_stack import engine, podman
from paws_stack.engine import CommandResult, HostPlatform
from paws_stack.errors import ComposeUnavailable, DaemonNotRunning, EngineNotFound

RUNNING_JSON = '{"Client":{"Version":"28.2.2"},"Server":{"Version":"20.10.24+dfsg1"}}'
DOWN_JSON = '{"Client":{"Version":"28.2.2"},"Server":null}'
DOWN_ERR = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."


class FakeHost:
    """A PATH and command outputs: `which` and `run` for detect_engine."""

    def __init__(self, binaries: dict[str, str], outputs: dict[str, CommandResult]) -> None:
        self.binaries = binaries
        self.outputs = outputs

    def which(self, name: str) -> str | None:
        return self.binaries.get(name)

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        return self.outputs.get(" ".join(argv), CommandResult(127, "", "not found"))


def docker_host(
    *, running: bool = True, plugin: str | None = "2.26.1", standalone: str | None = None
) -> FakeHost:
    binaries = {"docker": "/usr/bin/docker"}
    outputs = {
        "/usr/bin/docker version --format {{json .}}": CommandResult(0, RUNNING_JSON, "")
        if running
        else CommandResult(1, DOWN_JSON, DOWN_ERR + "\n"),
        "docker compose version": CommandResult(0, f"Docker Compose version v{plugin}\n", "")
        if plugin
        else CommandResult(1, "", "docker: unknown command: docker compose\n"),
    }
    if standalone:
        binaries["docker-compose"] = "/usr/bin/docker-compose"
        outputs["docker-compose version"] = CommandResult(0, standalone, "")
    return FakeHost(binaries, outputs)


BASE = USABLE_ENGINE


def detect_on(host: FakeHost, **options: object) -> engine.EngineInfo:
    return engine.detect_engine(host.which, host.run, **options)  # type: ignore[arg-type]


PODMAN_JSON = '{"Client":{"Version":"4.3.1"},"Server":{"Version":"4.3.1"}}'
PODMAN_DOWN = "Cannot connect to Podman. Please verify your connection to the Linux system"


def podman_host(
    *, service: bool = True, standalone: bool = False, url: str | None = None
) -> FakeHost:
    """A host with podman's CLI (and Compose v2 standalone, if asked) but no docker client."""
    url = url or f"unix://{podman.default_socket(environ={})}"
    binaries = {"podman": "/usr/bin/podman"}
    version = f"/usr/bin/podman --remote --url {url} version --format {{{{json .}}}}"
    outputs = {
        version: CommandResult(0, PODMAN_JSON, "")
        if service
        else CommandResult(125, "", f"Error: {PODMAN_DOWN}\n")
    }
    if standalone:
        binaries["docker-compose"] = "/usr/bin/docker-compose"
        outputs["docker-compose version"] = CommandResult(0, "Docker Compose version v2.26.1", "")
    return FakeHost(binaries, outputs)


DEBIAN = HostPlatform("debian", "debian", "12", "bookworm")
UBUNTU = HostPlatform("ubuntu", "ubuntu", "24.04", "noble")
MACOS = HostPlatform("macos")
WSL = HostPlatform("wsl", "ubuntu", "22.04", "jammy")
FEDORA = HostPlatform("linux", "fedora", "40")


class TestVersionParsing:
    @pytest.mark.parametrize(
        ("output", "expected"),
        [
            ("Docker Compose version v2.26.1\n", "2.26.1"),
            ("Docker Compose version 2.26.1-4\n", "2.26.1"),
            ("2.29.7\n", "2.29.7"),
            ("docker-compose version 1.29.2, build unknown\n", "1.29.2"),
            ("", None),
            ("no version here", None),
        ],
    )
    def test_compose_version(self, output: str, expected: str | None) -> None:
        """Short and long, v1 and v2, Debian-suffixed outputs all give the bare version."""
        assert engine.parse_compose_version(output) == expected

    def test_version_json_running(self) -> None:
        """Client and server versions come from one `docker version` JSON line."""
        assert engine.parse_version_json(RUNNING_JSON) == ("28.2.2", "20.10.24+dfsg1")

    def test_version_json_daemon_down(self) -> None:
        """With the daemon down the client version is still known, the server is None."""
        assert engine.parse_version_json(DOWN_JSON) == ("28.2.2", None)

    @pytest.mark.parametrize("garbage", ["", "not json", "[1, 2]"])
    def test_version_json_garbage(self, garbage: str) -> None:
        """Unparsable output gives (None, None) instead of an exception."""
        assert engine.parse_version_json(garbage) == (None, None)

    def test_minimum_compose_is_2_20(self) -> None:
        """2.20 passes, 2.19.1 and v1 do not."""
        assert info(compose_version="2.20.0").compose_ok
        assert not info(compose_version="2.19.1").compose_ok
        assert not info(compose_version="1.29.2").compose_ok


class TestDetectEngine:
    def test_no_client(self) -> None:
        """Neither docker nor podman on PATH: nothing found, nothing run."""
        host = FakeHost({}, {})
        found = engine.detect_engine(host.which, host.run)
        assert found.client_path is None and found.kind is None and not found.daemon_running

    def test_docker_with_compose_plugin(self) -> None:
        """The usual case: `docker compose` plugin, daemon answering."""
        host = docker_host()
        found = engine.detect_engine(host.which, host.run)
        assert found.compose_argv == ("docker", "compose")
        assert found.compose_version == "2.26.1"
        assert found.server_version == "20.10.24+dfsg1"
        assert found.ready

    def test_standalone_v2_binary_when_plugin_missing(self) -> None:
        """No plugin but a v2 docker-compose binary: that binary is used."""
        host = docker_host(plugin=None, standalone="2.26.1\n")
        found = engine.detect_engine(host.which, host.run)
        assert found.compose_argv == ("docker-compose",)
        assert found.compose_ok

    def test_v1_binary_is_found_but_not_ok(self) -> None:
        """Debian 12's docker-compose 1.29 is reported with its version, and rejected."""
        host = docker_host(plugin=None, standalone="docker-compose version 1.29.2, build x\n")
        found = engine.detect_engine(host.which, host.run)
        assert found.compose_version == "1.29.2"
        assert not found.compose_ok

    def test_old_plugin_loses_to_new_standalone(self) -> None:
        """A too-old plugin does not hide a usable standalone v2 binary."""
        host = docker_host(plugin="2.12.0", standalone="2.26.1\n")
        found = engine.detect_engine(host.which, host.run)
        assert found.compose_argv == ("docker-compose",)

    def test_daemon_down_keeps_the_error(self) -> None:
        """The client version is known and the daemon's error line is kept for the message."""
        host = docker_host(running=False)
        found = engine.detect_engine(host.which, host.run)
        assert found.client_version == "28.2.2"
        assert not found.daemon_running
        assert "Cannot connect" in found.daemon_error

    def test_podman_when_docker_is_absent(self) -> None:
        """podman is detected when there is no docker client, and asked through its service."""
        host = podman_host()
        found = engine.detect_engine(host.which, host.run, environ={})
        assert found.kind == "podman" and found.daemon_running
        assert found.server_version == "4.3.1"
        assert found.docker_host == f"unix://{podman.default_socket(environ={})}"

    def test_podman_without_its_service_is_not_running(self) -> None:
        """A podman CLI alone is no engine for compose: without the API service, it is down."""
        found = detect_on(podman_host(service=False), environ={})
        assert found.kind == "podman" and not found.daemon_running
        assert "Cannot connect to Podman" in found.daemon_error

    def test_podman_uses_docker_compose_never_podman_compose(self) -> None:
        """Compose v2 drives Podman's API; `podman compose` may run podman-compose."""
        found = detect_on(podman_host(standalone=True), environ={})
        assert found.compose_argv == ("docker-compose",) and found.compose_ok

    def test_users_docker_host_is_podmans_address(self) -> None:
        """A DOCKER_HOST the user set (a podman machine, say) is where podman is asked."""
        url = "unix:///home/dev/.local/share/containers/podman/machine/podman.sock"
        host = podman_host(url=url)
        found = engine.detect_engine(host.which, host.run, environ={"DOCKER_HOST": url})
        assert found.daemon_running and found.docker_host == url

    def test_choice_podman_skips_docker(self) -> None:
        """PAWS_ENGINE=podman takes podman even where a docker client is installed."""
        host = podman_host()
        host.binaries["docker"] = "/usr/bin/docker"
        host.outputs["docker compose version"] = CommandResult(0, "Docker Compose v2.26.1", "")
        found = engine.detect_engine(host.which, host.run, choice="podman", environ={})
        assert found.kind == "podman" and found.compose_argv == ("docker", "compose")
        assert engine.detect_engine(host.which, host.run, environ={}).kind == "docker"

    def test_choice_docker_never_falls_back_to_podman(self) -> None:
        """PAWS_ENGINE=docker on a podman-only host finds no engine, and says which is missing."""
        found = detect_on(podman_host(), choice="docker", environ={})
        assert found.kind is None
        with pytest.raises(EngineNotFound, match="PAWS_ENGINE=docker, but docker"):
            engine.require_engine(found, DEBIAN, choice="docker")

    def test_docker_clients_are_pointed_at_podman(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Podman's DOCKER_HOST reaches this process's SDK and the CLIs it starts."""
        for name in ("DOCKER_HOST", "CONTAINER_HOST"):
            monkeypatch.delenv(name, raising=False)
        url = "unix:///run/podman/podman.sock"
        engine.point_clients_at(info(kind="podman", docker_host=url))
        assert os.environ["DOCKER_HOST"] == os.environ["CONTAINER_HOST"] == url
        for name in ("DOCKER_HOST", "CONTAINER_HOST"):
            monkeypatch.delenv(name)
        engine.point_clients_at(info())
        assert "DOCKER_HOST" not in os.environ and "CONTAINER_HOST" not in os.environ

    def test_runs_on_this_host(self) -> None:
        """Real detection never raises, whatever this machine has."""
        found = engine.detect_engine()
        assert found.daemon_running is (found.server_version is not None)


class TestClassifyPlatform:
    @pytest.mark.parametrize(
        ("platform", "kernel", "release", "kind"),
        [
            ("darwin", "", {}, "macos"),
            ("linux", "5.15.153.1-microsoft-standard-WSL2", {"ID": "ubuntu"}, "wsl"),
            ("linux", "6.1.0-18-amd64", {"ID": "ubuntu", "ID_LIKE": "debian"}, "ubuntu"),
            ("linux", "6.1.0-18-amd64", {"ID": "debian"}, "debian"),
            ("linux", "6.1.0-rpi", {"ID": "raspbian", "ID_LIKE": "debian"}, "debian"),
            ("linux", "6.8.5-301.fc40", {"ID": "fedora"}, "linux"),
            ("win32", "", {}, "other"),
        ],
    )
    def test_kind(self, platform: str, kernel: str, release: dict[str, str], kind: str) -> None:
        """WSL wins over the distribution; ID_LIKE makes derivatives count as Debian."""
        assert engine.classify_platform(platform, kernel, release).kind == kind


class TestRequireEngine:
    @pytest.mark.parametrize(
        ("platform", "fix"),
        [
            (DEBIAN, "paws-stack setup --yes"),
            (DEBIAN, "apt-get install -y docker.io"),
            (UBUNTU, "docker-compose-v2"),
            (MACOS, "Docker Desktop"),
            (MACOS, "colima"),
            (WSL, "WSL integration"),
            (FEDORA, "docs.docker.com/engine/install"),
        ],
    )
    def test_missing_engine_remediation_per_os(self, platform: HostPlatform, fix: str) -> None:
        """A missing engine raises EngineNotFound whose fix fits the OS."""
        missing = info(kind=None, client_path=None, daemon_running=False, compose_argv=())
        with pytest.raises(EngineNotFound) as caught:
            engine.require_engine(missing, platform)
        assert fix in caught.value.remediation

    @pytest.mark.parametrize(
        ("platform", "fix"),
        [(DEBIAN, "setup --yes"), (MACOS, "colima start"), (WSL, "Docker Desktop")],
    )
    def test_daemon_down_remediation_per_os(self, platform: HostPlatform, fix: str) -> None:
        """A silent daemon raises DaemonNotRunning with the OS's way to start it."""
        down = info(daemon_running=False, daemon_error=DOWN_ERR)
        with pytest.raises(DaemonNotRunning, match="does not answer: Cannot connect") as caught:
            engine.require_engine(down, platform)
        assert fix in caught.value.remediation

    def test_socket_permission_denied(self) -> None:
        """A daemon we may not reach is a group membership problem, not a stopped daemon."""
        denied = info(daemon_running=False, daemon_error="permission denied while trying...")
        with pytest.raises(DaemonNotRunning) as caught:
            engine.require_engine(denied, DEBIAN)
        assert "usermod -aG docker" in caught.value.remediation

    def test_old_compose_names_its_version(self) -> None:
        """A too-old compose is named with its version and the minimum."""
        old = info(compose_argv=("docker-compose",), compose_version="1.29.2")
        with pytest.raises(ComposeUnavailable, match=r"docker-compose is version 1\.29\.2.*2\.20"):
            engine.require_engine(old, DEBIAN)

    def test_missing_compose(self) -> None:
        """No compose at all says so, and on Debian points to setup."""
        with pytest.raises(ComposeUnavailable, match="not found") as caught:
            engine.require_engine(info(compose_argv=(), compose_version=None), DEBIAN)
        assert "setup --yes" in caught.value.remediation

    def test_ready_engine_is_returned(self) -> None:
        """A usable engine passes through unchanged."""
        ready = info()
        assert engine.require_engine(ready, DEBIAN) is ready
