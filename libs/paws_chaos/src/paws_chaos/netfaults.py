"""Network faults: disconnect from a docker network, iptables isolation, and netem detection.

Containers run with `cap_drop: ALL`, so rules cannot be added from inside. They are added from
the host into the container's network namespace: `nsenter -t <pid> -n iptables ...` (root).
Every rule carries the comment `paws-chaos`, so an undo removes exactly what was added.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable
from typing import Any

from .errors import FaultUnsupported
from .faults import Container, Fault
from .journal import Undo

COMMENT = "paws-chaos"


def disconnect(container: Container, network: Any) -> Fault:
    """Take the container off a docker network; undo reconnects it with its DNS aliases."""
    name = network.name
    attrs = (container.attrs.get("NetworkSettings") or {}).get("Networks") or {}
    aliases = [a for a in (attrs.get(name) or {}).get("Aliases") or [] if a]

    def undo() -> None:
        container.reload()
        connected = (container.attrs.get("NetworkSettings") or {}).get("Networks") or {}
        if name not in connected:
            network.connect(container, aliases=aliases or None)

    return Fault(
        "disconnect",
        f"{container.name} from {name}",
        lambda: network.disconnect(container, force=True),
        undo,
        f"docker network connect {name} {container.name}",
        [
            Undo(
                action="connect",
                container=container.id,
                name=container.name,
                network=name,
                aliases=tuple(aliases),
            )
        ],
    )


def _pid(container: Container) -> int:
    container.reload()
    return int(container.attrs["State"]["Pid"])


def in_netns(pid: int, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run a host tool inside the network namespace of process `pid`."""
    return subprocess.run(
        ["nsenter", "-t", str(pid), "-n", *argv],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )


def isolation_rules(peers: list[str]) -> list[list[str]]:
    """iptables rule specs that drop traffic to and from each peer address.

    >>> isolation_rules(["10.0.0.2"])[0]
    ['INPUT', '-s', '10.0.0.2', '-m', 'comment', '--comment', 'paws-chaos', '-j', 'DROP']
    """
    rules = []
    for peer in peers:
        for chain, flag in (("INPUT", "-s"), ("OUTPUT", "-d")):
            rules.append([chain, flag, peer, "-m", "comment", "--comment", COMMENT, "-j", "DROP"])
    return rules


def paws_rules(container: Container, comment: str = COMMENT) -> list[str]:
    """The paws-chaos rules currently in the container's namespace (`iptables -S`)."""
    container.reload()
    if container.status != "running":
        return []
    listed = in_netns(_pid(container), "iptables", "-S")
    return [line for line in listed.stdout.splitlines() if f"--comment {comment}" in line]


def delete_spec(listed: str) -> list[str]:
    """The `iptables` arguments that delete one rule as `iptables -S` lists it.

    >>> delete_spec("-A INPUT -s 10.0.0.2/32 -m comment --comment paws-chaos -j DROP")
    ['-D', 'INPUT', '-s', '10.0.0.2/32', '-m', 'comment', '--comment', 'paws-chaos', '-j', 'DROP']
    """
    words = shlex.split(listed)
    return ["-D", *words[1:]] if words[:1] == ["-A"] else []


def remove_paws_rules(container: Container, comment: str = COMMENT) -> int:
    """Delete every rule carrying paws' comment from the container's namespace (recovery:
    whoever added them, whatever their peers were). Returns how many were removed."""
    listed = [spec for line in paws_rules(container, comment) if (spec := delete_spec(line))]
    pid = _pid(container) if listed else 0
    for spec in listed:
        deleted = in_netns(pid, "iptables", *spec)
        if deleted.returncode != 0:
            raise RuntimeError(f"iptables {' '.join(spec)}: {deleted.stderr.strip()}")
    return len(listed)


def has_netem(container: Container) -> bool:
    """Whether eth0 of a running container has a netem qdisc (only paws puts one there)."""
    container.reload()
    if container.status != "running":
        return False
    shown = in_netns(_pid(container), "tc", "qdisc", "show", "dev", "eth0")
    return "netem" in shown.stdout


def isolate(container: Container, peers: list[str]) -> Fault:
    """Drop all traffic between the container and each peer address (both directions)."""
    rules = isolation_rules(peers)

    def inject() -> None:
        pid = _pid(container)
        for rule in rules:
            done = in_netns(pid, "iptables", "-I", *rule)
            if done.returncode != 0:
                raise FaultUnsupported(
                    f"iptables in {container.name}'s namespace failed: {done.stderr.strip()}",
                    "run as root on the engine's host with iptables installed",
                )

    def undo() -> None:
        container.reload()
        if container.status != "running":
            return  # a stopped container's namespace (and its rules) is gone
        pid = _pid(container)
        for rule in rules:
            while in_netns(pid, "iptables", "-C", *rule).returncode == 0:
                deleted = in_netns(pid, "iptables", "-D", *rule)
                if deleted.returncode != 0:
                    raise RuntimeError(deleted.stderr.strip())

    return Fault(
        "isolate",
        f"{container.name} from {', '.join(peers)}",
        inject,
        undo,
        f"nsenter -t $(docker inspect -f '{{{{.State.Pid}}}}' {container.name}) -n "
        f"iptables -S | grep {COMMENT}  # then iptables -D each listed rule",
        [Undo(action="remove_rules", container=container.id, name=container.name, comment=COMMENT)],
    )


def netem_support(run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run) -> str:
    """'' when `tc netem` works on this kernel, else the reason it does not.

    Probes in a throwaway network namespace (`unshare --net`): the host is never touched.
    """
    try:
        probe = run(
            [
                "unshare",
                "--net",
                "tc",
                "qdisc",
                "add",
                "dev",
                "lo",
                "root",
                "netem",
                "delay",
                "1ms",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"cannot probe tc netem: {error}"
    if probe.returncode == 0:
        return ""
    detail = (probe.stderr or probe.stdout).strip().splitlines()
    return f"tc netem is not available: {detail[0] if detail else 'tc failed'}"


def netem(
    container: Container,
    delay_ms: int = 0,
    loss_pct: float = 0.0,
    support: Callable[[], str] = netem_support,
) -> Fault:
    """Latency and packet loss on the container's eth0; refuses clearly without sch_netem."""
    reason = support()
    if reason:
        raise FaultUnsupported(
            f"{reason} (the kernel lacks the sch_netem qdisc)",
            "use a kernel with CONFIG_NET_SCH_NETEM (modprobe sch_netem); "
            "kill/stop/pause/isolate faults work without it",
        )
    spec = ["delay", f"{delay_ms}ms", "loss", f"{loss_pct}%"]

    def inject() -> None:
        argv = ["tc", "qdisc", "add", "dev", "eth0", "root", "netem", *spec]
        done = in_netns(_pid(container), *argv)
        if done.returncode != 0:
            raise FaultUnsupported(f"tc netem failed: {done.stderr.strip()}", "see `tc -V`")

    def undo() -> None:
        container.reload()
        if container.status == "running":
            in_netns(_pid(container), "tc", "qdisc", "del", "dev", "eth0", "root")

    return Fault(
        "netem",
        f"{container.name} delay {delay_ms} ms loss {loss_pct}%",
        inject,
        undo,
        f"nsenter -t <pid of {container.name}> -n tc qdisc del dev eth0 root",
        [Undo(action="remove_netem", container=container.id, name=container.name)],
    )
