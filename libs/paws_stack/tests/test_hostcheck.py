"""Tests for paws_stack.hostcheck: resources, /proc parsing, and real ports on loopback."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from paws_stack import hostcheck
from paws_stack.errors import HostCheckError, PortInUse
from paws_stack.settings import APP_PORT_SETTINGS, PORT_SETTINGS, StackSettings

GIB = hostcheck.GIB

# /proc/net/tcp as the kernel prints it: a listener on 127.0.0.1:15432 (inode 4242), one on
# 0.0.0.0:16379 (inode 5353), one on 127.0.0.2:18404, and an established connection on 15432.
PROC_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:3C50 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 4242 1
   1: 00000000:3FFB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5353 1
   2: 0200007F:47E4 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6464 1
   3: 0100007F:3C50 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000   106        0 7575 1
"""
PROC_TCP6 = (
    "  sl  local_address                         remote_address                        st\n"
    "   0: 00000000000000000000000001000000:3C50 00000000000000000000000000000000:0000 0A"
    " 00000000:00000000 00:00000000 00000000     0        0 8686 1\n"
)


class TestMemory:
    def test_short_memory_warns_and_names_lite(self) -> None:
        """Below the full profile's need: a warning (not an error) suggesting --profile lite."""
        check = hostcheck.check_memory("full", int(1.1 * GIB))
        assert check.level == "warning" and not check.ok
        assert "only 1.1 GiB of memory available; the full profile needs 2 GiB" in check.detail
        assert "--profile lite" in check.detail

    def test_lite_short_does_not_suggest_lite(self) -> None:
        """Already on lite, the advice is to free memory."""
        check = hostcheck.check_memory("lite", int(0.5 * GIB))
        assert check.level == "warning" and "--profile lite" not in check.detail

    def test_enough_memory_is_info(self) -> None:
        """Enough memory passes quietly."""
        assert hostcheck.check_memory("full", 8 * GIB).level == "info"

    def test_unmeasurable_memory_is_not_a_failure(self) -> None:
        """Where /proc/meminfo is absent the check passes, saying it did not measure."""
        assert hostcheck.check_memory("full", None).ok

    def test_needs_are_a_data_table(self) -> None:
        """Both profiles have figures; lite needs less than full."""
        needs = hostcheck.PROFILE_NEEDS
        assert needs["lite"].memory_gib < needs["full"].memory_gib

    def test_meminfo_uses_memavailable(self, tmp_path: Path) -> None:
        """MemAvailable (kB) is read as bytes."""
        (tmp_path / "meminfo").write_text(
            "MemTotal: 4096 kB\nMemFree: 1 kB\nMemAvailable: 2048 kB\n"
        )
        assert hostcheck.available_memory(tmp_path) == 2048 * 1024

    def test_meminfo_old_kernel_estimate(self, tmp_path: Path) -> None:
        """Without MemAvailable, free plus cached memory is used."""
        (tmp_path / "meminfo").write_text("MemFree: 100 kB\nCached: 28 kB\n")
        assert hostcheck.available_memory(tmp_path) == 128 * 1024


class TestCpusAndDisk:
    def test_too_few_cpus_warn(self) -> None:
        """One CPU for the full profile is a warning."""
        assert hostcheck.check_cpus("full", 1).level == "warning"

    def test_enough_cpus(self) -> None:
        """Two CPUs are enough for the full profile."""
        assert hostcheck.check_cpus("full", 2).ok

    def test_low_disk_is_an_error(self, tmp_path: Path) -> None:
        """Less than the image need is an error naming the path and the need."""
        check = hostcheck.check_disk(tmp_path, 3.0, free=GIB)
        assert check.level == "error" and str(tmp_path) in check.detail and "3 GiB" in check.detail

    def test_check_host_raises_on_low_disk(self, tmp_path: Path) -> None:
        """check_host raises HostCheckError before anything starts when disk is short."""
        settings = settings_with(tmp_path)
        with pytest.raises(HostCheckError, match="building the images needs"):
            hostcheck.check_host(settings, need_disk_gib=10**9)


class TestProcNetTcp:
    @pytest.mark.parametrize(
        ("hex_address", "expected"),
        [
            ("0100007F:3C50", ("127.0.0.1", 15440)),
            ("00000000:0050", ("0.0.0.0", 80)),  # noqa: S104 -- parsed text, nothing is bound
            ("00000000000000000000000001000000:3C50", ("::1", 15440)),
        ],
    )
    def test_decode_address(self, hex_address: str, expected: tuple[str, int]) -> None:
        """Addresses are little-endian 32-bit words; the port is plain hex."""
        assert hostcheck.decode_proc_address(hex_address) == expected

    def test_finds_listener_on_the_address(self) -> None:
        """The LISTEN entry on 127.0.0.1 is found; the established one is not."""
        assert hostcheck.listening_inodes(PROC_TCP, 15440, "127.0.0.1") == [4242]

    def test_wildcard_listener_covers_loopback(self) -> None:
        """A listener on 0.0.0.0 blocks 127.0.0.1 too."""
        assert hostcheck.listening_inodes(PROC_TCP, 16379, "127.0.0.1") == [5353]

    def test_other_loopback_address_does_not_cover(self) -> None:
        """127.0.0.2:port does not hold 127.0.0.1:port."""
        assert hostcheck.listening_inodes(PROC_TCP, 18404, "127.0.0.1") == []

    def test_ipv6_table(self) -> None:
        """tcp6 entries decode the same way."""
        assert hostcheck.listening_inodes(PROC_TCP6, 15440, "::1") == [8686]

    def test_pid_from_fake_proc(self, tmp_path: Path) -> None:
        """The process whose fd links to socket:[inode] is named with its comm."""
        (tmp_path / "net").mkdir()
        (tmp_path / "net" / "tcp").write_text(PROC_TCP)
        fd = tmp_path / "1234" / "fd"
        fd.mkdir(parents=True)
        (fd / "5").symlink_to("socket:[4242]")
        (tmp_path / "1234" / "comm").write_text("postgres\n")
        assert hostcheck.holder_from_proc(15440, "127.0.0.1", tmp_path) == "pid 1234 (postgres)"

    def test_ss_output(self) -> None:
        """ss -ltnpH lines give the first user of the matching local port."""
        out = (
            'LISTEN 0 4096 127.0.0.1:16379 0.0.0.0:* users:(("docker-proxy",pid=77,fd=4))\n'
            'LISTEN 0 244 127.0.0.1:15432 0.0.0.0:* users:(("postgres",pid=81,fd=5))\n'
        )
        assert hostcheck.parse_ss_holder(out, 15432) == "pid 81 (postgres)"
        assert hostcheck.parse_ss_holder(out, 5432) is None


def settings_with(project_dir: Path, **ports: int) -> StackSettings:
    """Settings whose ports are free right now on loopback (a stack running here must not
    interfere), with `ports` overriding some of them."""
    values: dict[str, object] = {"project_dir": project_dir}
    for name in (*PORT_SETTINGS, *APP_PORT_SETTINGS):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            values[name] = sock.getsockname()[1]
    return StackSettings.model_validate({**values, **ports})


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real listening socket on 127.0.0.1, held by this test process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


class TestPortsForReal:
    def test_taken_port_names_port_process_and_setting(
        self, listener: socket.socket, tmp_path: Path
    ) -> None:
        """Our own listener makes PortInUse name the port, this pid and PAWS_REDIS_PORT."""
        port = listener.getsockname()[1]
        settings = settings_with(tmp_path, redis_port=port)
        with pytest.raises(PortInUse) as caught:
            hostcheck.check_ports(settings)
        error = caught.value
        assert (error.port, error.setting) == (port, "PAWS_REDIS_PORT")
        assert error.holder is not None and error.holder.startswith(f"pid {os.getpid()} (")
        assert f"127.0.0.1:{port} (PAWS_REDIS_PORT)" in str(error)
        assert "export PAWS_REDIS_PORT=" in error.remediation

    def test_ports_of_our_own_stack_are_ignored(
        self, listener: socket.socket, tmp_path: Path
    ) -> None:
        """A port held by our running stack (ignore_ports) does not count as in use."""
        port = listener.getsockname()[1]
        settings = settings_with(tmp_path, pg_port=port)
        check = hostcheck.check_ports(settings, ignore_ports={port}, ephemeral=range(1, 2))
        assert check.ok and str(port) in check.detail

    def test_free_ports_pass(self, tmp_path: Path) -> None:
        """With nothing listening (and no port in the ephemeral range), the port check passes."""
        settings = settings_with(tmp_path)
        assert hostcheck.check_ports(settings, ephemeral=range(1, 2)).ok

    def test_ports_in_the_ephemeral_range_warn(self, tmp_path: Path) -> None:
        """Free but in the range outgoing connections draw from: a warning naming a safe bound."""
        settings = settings_with(tmp_path)
        check = hostcheck.check_ports(settings, ephemeral=range(1024, 65536))
        assert check.level == "warning" and not check.ok
        assert str(settings.pg_port) in check.detail.split("lie in", 1)[0]
        assert "choose ports below 1024" in check.detail

    def test_port_taken_by_an_outgoing_connection_is_explained(
        self, listener: socket.socket, tmp_path: Path
    ) -> None:
        """No listener but a connection's local end: PortInUse says so instead of naming nobody."""
        with socket.create_connection(listener.getsockname()) as client:
            local_port = client.getsockname()[1]
            settings = settings_with(tmp_path, pg_port=local_port)
            with pytest.raises(PortInUse) as caught:
                hostcheck.check_ports(settings, ephemeral=range(local_port, local_port + 1))
        assert caught.value.holder is not None
        assert caught.value.holder.startswith("an outgoing connection's local end")
        assert f"ephemeral range {local_port}-{local_port}" in str(caught.value)

    def test_ephemeral_range_is_read_from_proc(self, tmp_path: Path) -> None:
        """ip_local_port_range as the kernel prints it (tab-separated); None where absent."""
        sysctl = tmp_path / "sys/net/ipv4"
        sysctl.mkdir(parents=True)
        (sysctl / "ip_local_port_range").write_text("32768\t60999\n", "ascii")
        assert hostcheck.ephemeral_port_range(tmp_path) == range(32768, 61000)
        assert hostcheck.ephemeral_port_range(tmp_path / "none") is None

    def test_proc_scan_finds_this_process(self, listener: socket.socket) -> None:
        """The /proc scan alone (no ss) identifies this process as the holder."""
        holder = hostcheck.holder_from_proc(listener.getsockname()[1], "127.0.0.1")
        assert holder is not None and holder.startswith(f"pid {os.getpid()} ")

    def test_whole_host_check_on_this_machine(self, tmp_path: Path) -> None:
        """check_host returns a report of cpu, memory, disk and ports checks."""
        settings = settings_with(tmp_path)
        report = hostcheck.check_host(settings, need_disk_gib=0)
        assert [c.name for c in report.checks] == ["cpu", "memory", "disk", "ports"]
        assert report.ok
