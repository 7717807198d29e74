"""Can this host run the chosen profile? CPU, memory, disk and the host ports we publish.

Low CPU or memory is a warning (the stack may still come up, slowly); too little disk or a
taken port is an error raised before anything starts, so nothing is half-started.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import re
import shutil
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .engine import run_command
from .errors import HostCheckError, PortInUse
from .settings import StackSettings

Level = Literal["info", "warning", "error"]
GIB = 1024**3
PROC = Path("/proc")
TCP_LISTEN = "0A"  # the st column of /proc/net/tcp for a listening socket


@dataclass(frozen=True)
class ProfileNeeds:
    """What a profile needs from the host (the stack's own limits plus headroom)."""

    memory_gib: float
    cpus: int


# Data, not code: adjust here when compose limits change.
PROFILE_NEEDS: dict[str, ProfileNeeds] = {
    "full": ProfileNeeds(memory_gib=2.0, cpus=2),
    "lite": ProfileNeeds(memory_gib=0.75, cpus=1),
}
IMAGE_DISK_GIB = 3.0  # base image + per-service layers + build scratch space


@dataclass(frozen=True)
class Check:
    """One host check: what was checked, whether it passed, what we saw, how much it matters."""

    name: str
    ok: bool
    detail: str
    level: Level
    fix: str = ""  # what to do about an error-level check


@dataclass(frozen=True)
class HostReport:
    """All host checks, in the order they ran."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.level != "error" for check in self.checks)


# --- cpu, memory, disk --------------------------------------------------------------------------


def cpu_count() -> int:
    """CPUs this process may use (the affinity mask, which containers and CI runners narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def check_cpus(profile: str, cpus: int) -> Check:
    need = PROFILE_NEEDS[profile].cpus
    if cpus >= need:
        return Check("cpu", True, f"{cpus} CPUs (the {profile} profile wants {need})", "info")
    return Check(
        "cpu",
        False,
        f"{cpus} CPU(s); the {profile} profile wants {need}: start-up and failover will be slower",
        "warning",
    )


def parse_meminfo(text: str) -> dict[str, int]:
    """/proc/meminfo as name -> bytes.

    >>> parse_meminfo("MemTotal:  2048 kB\\nMemAvailable: 1024 kB\\n")["MemAvailable"]
    1048576
    """
    fields: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"(\w+):\s+(\d+)(?:\s+kB)?", line)
        if match:
            unit = 1024 if line.rstrip().endswith("kB") else 1
            fields[match.group(1)] = int(match.group(2)) * unit
    return fields


def available_memory(proc: Path = PROC) -> int | None:
    """Bytes of memory available to new processes; None where /proc/meminfo is absent (macOS)."""
    try:
        fields = parse_meminfo((proc / "meminfo").read_text(encoding="utf-8"))
    except OSError:
        return None
    if "MemAvailable" in fields:
        return fields["MemAvailable"]
    # Kernels before 3.14 lack MemAvailable; free plus page cache is the usual estimate.
    return fields.get("MemFree", 0) + fields.get("Cached", 0) or None


def check_memory(profile: str, available: int | None) -> Check:
    """A warning (never an error) naming the lite profile when memory is short."""
    if available is None:
        return Check("memory", True, "free memory not measurable on this OS; not checked", "info")
    have = available / GIB
    need = PROFILE_NEEDS[profile].memory_gib
    if have >= need:
        return Check("memory", True, f"{have:.1f} GiB available (needs {need:g} GiB)", "info")
    detail = f"only {have:.1f} GiB of memory available; the {profile} profile needs {need:g} GiB"
    lite = PROFILE_NEEDS["lite"].memory_gib
    if profile != "lite" and have >= lite:
        detail += f"; use --profile lite (needs {lite:g} GiB)"
    else:
        detail += "; close other programs to free memory"
    return Check("memory", False, detail, "warning")


def check_disk(path: Path, need_gib: float, free: int | None = None) -> Check:
    """Free space at `path`; an error below `need_gib`."""
    free = shutil.disk_usage(path).free if free is None else free
    have = free / GIB
    if have >= need_gib:
        return Check("disk", True, f"{have:.1f} GiB free at {path} (needs {need_gib:g})", "info")
    return Check(
        "disk",
        False,
        f"only {have:.1f} GiB free at {path}; building the images needs {need_gib:g} GiB",
        "error",
        "free disk space there (docker image prune removes unused images)",
    )


# --- ports --------------------------------------------------------------------------------------


def decode_proc_address(hex_address: str) -> tuple[str, int]:
    """(ip, port) of a /proc/net/tcp{,6} address; the IP is in host (little-endian) words.

    >>> decode_proc_address("0100007F:3C28")
    ('127.0.0.1', 15400)
    """
    ip_hex, port_hex = hex_address.split(":")
    raw = bytes.fromhex(ip_hex)
    # The kernel prints each 32-bit word in host byte order (little-endian on x86 and arm64).
    if sys.byteorder == "little":
        raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(raw)), int(port_hex, 16)


def _covers(listen_ip: str, bind_ip: str) -> bool:
    """Whether a listener on `listen_ip` blocks a bind on `bind_ip` (same address or wildcard)."""
    return ipaddress.ip_address(listen_ip).is_unspecified or listen_ip == bind_ip


def listening_inodes(table: str, port: int, bind_ip: str) -> list[int]:
    """Socket inodes of the LISTEN entries of a /proc/net/tcp text that hold `port`."""
    inodes: list[int] = []
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != TCP_LISTEN:
            continue
        ip, local_port = decode_proc_address(fields[1])
        if local_port == port and _covers(ip, bind_ip):
            inodes.append(int(fields[9]))
    return inodes


def _proc_tables(proc: Path) -> Iterator[str]:
    for name in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            yield (proc / "net" / name).read_text(encoding="utf-8")


def pids_of_inodes(inodes: Iterable[int], proc: Path = PROC) -> Iterator[int]:
    """Processes holding a socket with one of `inodes` open (those we may inspect)."""
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for fd_dir in proc.glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):  # other users' processes, or gone meanwhile
            if any(str(fd.readlink()) in wanted for fd in fd_dir.iterdir()):
                yield int(fd_dir.parent.name)


def _describe_pid(pid: int, proc: Path) -> str:
    try:
        name = (proc / str(pid) / "comm").read_text(encoding="utf-8").strip()
    except OSError:
        return f"pid {pid}"
    return f"pid {pid} ({name})"


def holder_from_proc(port: int, bind_ip: str, proc: Path = PROC) -> str | None:
    """'pid 1234 (postgres)' for the listener on `port`, read from /proc; None if unknown."""
    inodes = [i for table in _proc_tables(proc) for i in listening_inodes(table, port, bind_ip)]
    for pid in pids_of_inodes(inodes, proc):
        return _describe_pid(pid, proc)
    return None


_SS_USER = re.compile(r'\("([^"]+)",pid=(\d+)')


def parse_ss_holder(output: str, port: int) -> str | None:
    """The holder of `port` in `ss -ltnpH` output.

    >>> parse_ss_holder('LISTEN 0 244 127.0.0.1:5432 0.0.0.0:* users:(("postgres",pid=81,fd=5))',
    ...                 5432)
    'pid 81 (postgres)'
    """
    for line in output.splitlines():
        fields = line.split()
        if len(fields) < 4 or not fields[3].endswith(f":{port}"):
            continue
        match = _SS_USER.search(line)
        if match:
            return f"pid {match.group(2)} ({match.group(1)})"
    return None


def holder_from_ss(port: int) -> str | None:
    """Ask ss(8), which may see more than we can (it reports nothing it may not either)."""
    result = run_command(["ss", "-ltnpH"], 5.0)
    return parse_ss_holder(result.stdout, port) if result.returncode == 0 else None


def find_port_holder(port: int, bind_ip: str) -> str | None:
    """Who listens on `port`, where the system can tell."""
    return holder_from_proc(port, bind_ip) or holder_from_ss(port)


def port_is_free(address: str, port: int) -> bool:
    """Try to bind `address:port` as the engine would; False only when it is in use."""
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # Like docker-proxy: a port with only TIME_WAIT leftovers counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise HostCheckError(
                f"cannot bind {address}:{port}: {exc.strerror}",
                "check PAWS_BIND_ADDRESS names a loopback address this host has",
            ) from exc
    return True


def ephemeral_port_range(proc: Path = PROC) -> range | None:
    """The ports the kernel hands out to outgoing connections (Linux only)."""
    try:
        low, high = (proc / "sys/net/ipv4/ip_local_port_range").read_text("ascii").split()
    except (OSError, ValueError):
        return None
    return range(int(low), int(high) + 1)


def _outgoing_holder(port: int, ephemeral: range | None) -> str | None:
    """Why a port nobody listens on is taken: a connection's local end, picked at random."""
    if ephemeral is None or port not in ephemeral:
        return None
    return (
        "an outgoing connection's local end (nothing listens on it; the port lies in the "
        f"kernel's ephemeral range {ephemeral.start}-{ephemeral.stop - 1})"
    )


def check_ports(
    settings: StackSettings,
    ignore_ports: set[int] | frozenset[int] = frozenset(),
    holder: Callable[[int, str], str | None] = find_port_holder,
    ephemeral: range | None = None,
) -> Check:
    """Every published port must be free, except those our own running stack holds.

    A port in the ephemeral range is a warning: any outgoing connection may take it at random,
    so `up` would fail now and then for no visible reason.
    """
    address = settings.bind_address
    ephemeral = ephemeral or ephemeral_port_range()
    checked: list[int] = []
    for setting, port in settings.published_ports().items():
        if port in ignore_ports:
            continue
        if not port_is_free(address, port):
            raise PortInUse(
                port, holder(port, address) or _outgoing_holder(port, ephemeral), setting
            )
        checked.append(port)
    ours = f"; held by this stack: {sorted(ignore_ports)}" if ignore_ports else ""
    detail = f"free on {address}: {', '.join(map(str, checked)) or 'none'}{ours}"
    random_ones = [port for port in checked if ephemeral is not None and port in ephemeral]
    if not random_ones or ephemeral is None:
        return Check("ports", True, detail, "info")
    return Check(
        "ports",
        False,
        f"{detail}; {', '.join(map(str, random_ones))} lie in the ephemeral range "
        f"{ephemeral.start}-{ephemeral.stop - 1}, where any outgoing connection can take one "
        f"at random: choose ports below {ephemeral.start}",
        "warning",
    )


# --- all together -------------------------------------------------------------------------------


def check_host(
    settings: StackSettings,
    *,
    profile: str | None = None,
    ignore_ports: set[int] | frozenset[int] = frozenset(),
    need_disk_gib: float = IMAGE_DISK_GIB,
) -> HostReport:
    """Run every check; raise PortInUse or HostCheckError for errors, return warnings.

    Pass need_disk_gib=0 when the images already exist.
    """
    chosen = profile or settings.profile
    checks = (
        check_cpus(chosen, cpu_count()),
        check_memory(chosen, available_memory()),
        check_disk(settings.project_dir, need_disk_gib),
        check_ports(settings, ignore_ports),
    )
    for check in checks:
        if check.level == "error":
            raise HostCheckError(check.detail, check.fix or "see docs/troubleshooting.md")
    return HostReport(checks)
