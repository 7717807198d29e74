"""Tests for paws_stack.podman: the socket, the limits it may give, launching its service."""

from __future__ import annotations

import os
import resource
import tomllib
from pathlib import Path

import pytest

from paws_stack import podman

INF = resource.RLIM_INFINITY


class TestSocket:
    def test_root_uses_run_podman(self) -> None:
        """Rootful Podman's default socket is /run/podman/podman.sock."""
        assert podman.default_socket(0, {}) == Path("/run/podman/podman.sock")

    def test_user_uses_the_runtime_dir(self) -> None:
        """Rootless Podman listens in XDG_RUNTIME_DIR, else /run/user/<uid>."""
        assert podman.default_socket(1000, {"XDG_RUNTIME_DIR": "/run/user/1000"}) == Path(
            "/run/user/1000/podman/podman.sock"
        )
        assert podman.default_socket(1001, {}) == Path("/run/user/1001/podman/podman.sock")

    def test_users_docker_host_wins(self) -> None:
        """A DOCKER_HOST already set is Podman's address (a podman machine, an ssh host)."""
        assert podman.docker_host({"DOCKER_HOST": "ssh://dev@box"}) == "ssh://dev@box"
        assert podman.socket_of("ssh://dev@box") is None
        assert podman.socket_of("unix:///run/podman/podman.sock") == Path("/run/podman/podman.sock")


class TestLimits:
    def test_limits_above_the_hosts_are_capped(self) -> None:
        """Without CAP_SYS_RESOURCE the hard limits are the ceiling: podman's defaults above
        them are capped, the ones below left out."""
        capped = podman.capped_ulimits({"nofile": 20000, "nproc": 8_000_000})
        assert capped == {"nofile": 20000}

    def test_unlimited_needs_no_cap(self) -> None:
        """An unlimited hard limit lets Podman's defaults stand."""
        assert podman.capped_ulimits({"nofile": INF, "nproc": INF}) == {}

    def test_nproc_is_capped_to_pid_max(self, tmp_path: Path) -> None:
        """Podman lowers its own nproc to pid_max, so that is the ceiling too."""
        pid_max = tmp_path / "pid_max"
        pid_max.write_text("32768\n")
        ceilings = podman.service_ceilings(pid_max)
        assert ceilings["nproc"] <= 32768
        assert ceilings["nofile"] == resource.getrlimit(resource.RLIMIT_NOFILE)[1]

    def test_conf_is_containers_conf_toml(self) -> None:
        """The file parses as TOML, with soft = hard for each limit."""
        text = podman.containers_conf({"nofile": 20000, "nproc": 32768})
        parsed = tomllib.loads(text)
        assert parsed["containers"] == {
            "default_ulimits": ["nofile=20000:20000", "nproc=32768:32768"]
        }
        assert parsed["network"] == {"network_backend": "netavark"}
        assert tomllib.loads(podman.containers_conf({}))["containers"] == {"default_ulimits": []}


class TestLaunchForReal:
    def test_service_runs_detached_with_pawss_conf(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A script standing in for podman is started in its own session, given the socket URL
        and CONTAINERS_CONF naming the written file, and logs to the log file."""
        fake = tmp_path / "podman"
        fake.write_text('#!/bin/sh\necho "$@ conf=$CONTAINERS_CONF"\n')
        fake.chmod(0o755)
        monkeypatch.setattr("shutil.which", lambda name: str(fake))
        url = f"unix://{tmp_path}/run/podman.sock"
        conf, log = tmp_path / "state" / "c.conf", tmp_path / "logs" / "p.log"
        proc = podman.launch_service(url, conf, log)
        try:
            assert os.getsid(proc.pid) == proc.pid
        finally:
            assert proc.wait(timeout=10) == 0
        assert log.read_text() == f"system service --time=0 {url} conf={conf}\n"
        assert (tmp_path / "run").is_dir()
        assert "default_ulimits" in conf.read_text()
