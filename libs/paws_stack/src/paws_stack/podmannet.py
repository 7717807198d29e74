"""Podman's internal networks beside Docker's firewall.

dockerd sets the FORWARD policy to DROP and loads br_netfilter, so that traffic between two
containers on one bridge passes through iptables' FORWARD chain too. Docker accepts its own
bridges there; netavark accepts a Podman bridge only when the network has a route out. The
stack's `infra` network is internal, so with dockerd on the same host etcd, Patroni and Redis
cannot reach each other, and `up` would time out after minutes. paws refuses at once instead,
naming the one rule that lets Podman's bridges talk (docs/troubleshooting.md, "Podman").
"""

from __future__ import annotations

from pathlib import Path

from .engine import Runner, run_command
from .errors import HostCheckError

BRIDGE_NF = Path("/proc/sys/net/bridge/bridge-nf-call-iptables")
# netavark names its bridges podman0, podman1, ...; `podman+` is iptables' wildcard for them.
BRIDGE_RULE = ("DOCKER-USER", "-i", "podman+", "-o", "podman+", "-j", "ACCEPT")
ALLOW = f"iptables -I {' '.join(BRIDGE_RULE)}"
UNDO = f"iptables -D {' '.join(BRIDGE_RULE)}"


def bridges_blocked(rules: str, bridge_nf: str) -> bool:
    """Whether `iptables -S` rules drop bridged traffic (policy DROP, seen through
    br_netfilter) and no rule accepts traffic on Podman's bridges."""
    if bridge_nf.strip() != "1":
        return False
    lines = rules.splitlines()
    if "-P FORWARD DROP" not in lines:
        return False
    return not any("podman" in line and line.endswith("-j ACCEPT") for line in lines)


def require_open_bridges(run: Runner = run_command, bridge_nf: Path = BRIDGE_NF) -> None:
    """Raise HostCheckError when the host's firewall would cut the stack's internal network.
    Where the firewall cannot be read (no iptables, not root), nothing is claimed."""
    try:
        forwarding = bridge_nf.read_text(encoding="utf-8")
    except OSError:
        return  # br_netfilter not loaded: bridged traffic never meets iptables
    listed = run(["iptables", "-S"], 10.0)
    if listed.returncode != 0 or not bridges_blocked(listed.stdout, forwarding):
        return
    raise HostCheckError(
        "the host's firewall drops traffic between containers on Podman's internal networks "
        "(dockerd's FORWARD policy DROP, applied to bridges through br_netfilter): etcd, "
        "Patroni and Redis could not reach each other",
        f"allow Podman's bridges: sudo {ALLOW} (undo: sudo {UNDO}); "
        "or use Docker on this host: unset PAWS_ENGINE",
    )
