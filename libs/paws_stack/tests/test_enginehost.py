"""Tests for paws_stack.enginehost: Docker Desktop, colima, WSL2, ARM and remote engines.

Pure logic over `docker info` documents as each engine reports them; no engine needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_stack.enginehost import (
    EngineHost,
    classify_engine,
    engine_host_checks,
    is_remote,
    tunnel_command,
)

GIB = 1024**3
HOME = Path("/Users/ana")
# A "2 GB" VM reports a little less: its kernel keeps some.
DESKTOP_INFO = {"OperatingSystem": "Docker Desktop", "Name": "docker-desktop",
                "MemTotal": int(1.94 * GIB), "NCPU": 4, "Architecture": "aarch64"}  # fmt: skip
COLIMA_INFO = {"OperatingSystem": "Ubuntu 24.04 LTS", "Name": "colima",
               "MemTotal": int(1.94 * GIB), "NCPU": 2, "Architecture": "x86_64"}  # fmt: skip
LINUX_INFO = {"OperatingSystem": "Debian GNU/Linux 12 (bookworm)", "Name": "build-7",
              "MemTotal": 24 * GIB, "NCPU": 2, "Architecture": "x86_64"}  # fmt: skip
LOCAL = "http+docker://localhost"


def names(checks: list) -> list[str]:  # type: ignore[type-arg]
    return [c.name for c in checks]


class TestClassify:
    @pytest.mark.parametrize(
        ("info", "endpoint", "flavour"),
        [
            (DESKTOP_INFO, "unix:///Users/ana/.docker/run/docker.sock", "docker-desktop"),
            (COLIMA_INFO, "unix:///Users/ana/.colima/default/docker.sock", "colima"),
            (LINUX_INFO, LOCAL, "native"),
            (LINUX_INFO, "tcp://10.1.2.3:2376", "remote"),
            (LINUX_INFO, "ssh://ana@build-7.example", "remote"),
        ],
    )
    def test_flavour(self, info: dict, endpoint: str, flavour: str) -> None:  # type: ignore[type-arg]
        """The engine's kind comes from `docker info` and where the client points."""
        assert classify_engine(info, endpoint).flavour == flavour

    @pytest.mark.parametrize(
        ("endpoint", "remote"),
        [("unix:///var/run/docker.sock", False), (LOCAL, False), ("tcp://127.0.0.1:2375", False),
         ("tcp://[::1]:2375", False), ("tcp://10.0.0.5:2375", True), ("ssh://me@host", True),
         ("npipe:////./pipe/docker_engine", False)],
    )  # fmt: skip
    def test_remote_means_another_host(self, endpoint: str, remote: bool) -> None:
        """A loopback TCP engine (a second local daemon) is local: its ports open here."""
        assert is_remote(endpoint) is remote


class TestChecks:
    def test_a_small_desktop_vm_warns_with_the_setting_to_change(self) -> None:
        """Docker Desktop's 2 GiB VM is below the full profile's need: say where to raise it."""
        engine = classify_engine(DESKTOP_INFO, LOCAL)
        checks = engine_host_checks(engine, "full", "macos", HOME / "src/paws", HOME)
        memory = next(c for c in checks if c.name == "engine memory")
        assert memory.level == "warning" and "Settings > Resources > Memory" in memory.detail
        assert "file sharing" not in names(checks)  # under /Users: shared by default
        assert "architecture" in names(checks)  # Apple silicon: arm64 images

    def test_lite_fits_the_same_vm(self) -> None:
        """The lite profile's need is below 2 GiB: no warning."""
        engine = classify_engine(DESKTOP_INFO, LOCAL)
        checks = engine_host_checks(engine, "lite", "macos", HOME / "src/paws", HOME)
        assert [c.name for c in checks if c.level == "warning"] == []
        relayed = next(c for c in checks if c.name == "container addresses")
        assert relayed.level == "info" and "relays" in relayed.detail

    def test_a_checkout_outside_the_shared_folders_warns(self) -> None:
        """/opt is not shared with Docker Desktop's VM: the dev loop's mounts would be empty."""
        engine = classify_engine(DESKTOP_INFO, LOCAL)
        checks = engine_host_checks(engine, "lite", "macos", Path("/opt/paws"), HOME)
        assert "File sharing" in next(c for c in checks if c.name == "file sharing").detail

    def test_colima_outside_home_names_the_mount_flag(self) -> None:
        """colima mounts only the home folder by default."""
        engine = classify_engine(COLIMA_INFO, LOCAL)
        checks = engine_host_checks(engine, "full", "macos", Path("/srv/paws"), HOME)
        sharing = next(c for c in checks if c.name == "file sharing")
        assert "colima start --mount /srv/paws:w" in sharing.detail
        assert (
            "colima start --memory" in next(c for c in checks if c.name == "engine memory").detail
        )

    def test_a_wsl_checkout_on_a_windows_drive_warns(self) -> None:
        """/mnt/c has no inotify and slow file access: clone into WSL, or poll."""
        engine = classify_engine(LINUX_INFO, LOCAL)
        checks = engine_host_checks(engine, "full", "wsl", Path("/mnt/c/Users/ana/paws"), HOME)
        drive = next(c for c in checks if c.name == "windows drive")
        assert drive.level == "warning" and "--polling" in drive.detail

    def test_a_wsl_checkout_in_the_linux_filesystem_is_fine(self) -> None:
        """A dockerd inside WSL (native) with the checkout under /home: nothing to say."""
        engine = classify_engine(LINUX_INFO, LOCAL)
        assert not engine_host_checks(engine, "full", "wsl", Path("/home/ana/paws"), HOME)

    def test_a_native_linux_engine_says_nothing(self) -> None:
        """This machine's case: no platform findings at all."""
        engine = classify_engine(LINUX_INFO, "unix:///var/run/docker.sock")
        assert not engine_host_checks(engine, "full", "debian", Path("/work/paws"), HOME)

    def test_a_remote_engine_is_noted(self) -> None:
        engine = classify_engine(LINUX_INFO, "ssh://ana@build-7.example")
        checks = engine_host_checks(engine, "full", "debian", HOME, HOME)
        remote = next(c for c in checks if c.name == "remote engine")
        assert "build-7.example" in remote.detail and "ssh -L" in remote.detail
        assert "container addresses" in names(checks)  # paws relays through the engine


class TestTunnel:
    def test_remote_engine_gets_one_ssh_line_for_every_port(self) -> None:
        """The published loopback ports of the engine's host, forwarded here."""
        line = tunnel_command("ssh://ana@build-7.example", [15432, 16379])
        assert (
            line == "ssh -N -L 15432:127.0.0.1:15432 -L 16379:127.0.0.1:16379 ana@build-7.example"
        )

    def test_local_engine_needs_no_tunnel(self) -> None:
        assert tunnel_command("unix:///var/run/docker.sock", [15432]) is None

    def test_engine_host_is_frozen(self) -> None:
        engine = EngineHost("native", None, None, "x86_64", LOCAL)
        with pytest.raises(AttributeError):
            engine.flavour = "remote"  # type: ignore[misc]
