"""The health report and the rules that decide it; pure logic, no I/O (see probes.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field

from .topology import KINDS, Kind, Topology

Role = Literal[
    "leader", "follower", "sync_standby", "replica", "master", "sentinel", "proxy", "app"
]


class Component(BaseModel):
    """One member as a probe saw it."""

    name: str
    kind: Kind
    role: Role | None = None
    healthy: bool
    container: str | None = None
    latency_ms: float | None = None
    detail: str = ""
    facts: dict[str, Any] = Field(default_factory=dict, description="raw probe values")


class HealthReport(BaseModel):
    """The verdict: healthy only when every member is and the topology is right."""

    healthy: bool
    profile: str
    project: str
    problems: list[str]
    components: list[Component]

    def of_kind(self, kind: Kind) -> list[Component]:
        return [c for c in self.components if c.kind == kind]


def assess(topology: Topology, project: str, components: list[Component]) -> HealthReport:
    """Check member counts and the HA invariants; mark members that break them unhealthy."""
    problems = _count_problems(topology, components)
    for rule in (_etcd_rules, _patroni_rules, _redis_rules, _sentinel_rules, _haproxy_rules):
        problems += rule(topology, components)
    problems += [f"{c.name}: {c.detail}" for c in components if not c.healthy]
    return HealthReport(
        healthy=not problems,
        profile=topology.profile,
        project=project,
        problems=problems,
        components=sorted(components, key=_order),
    )


def _order(component: Component) -> tuple[int, str]:
    return (KINDS.index(component.kind), component.name)


def _of(components: list[Component], kind: Kind) -> list[Component]:
    return [c for c in components if c.kind == kind]


def _count_problems(topology: Topology, components: list[Component]) -> list[str]:
    found = Counter(c.kind for c in components)
    return [
        f"expected {topology.count(kind)} {kind} member(s), found {found[kind]}"
        for kind in KINDS
        if found[kind] != topology.count(kind)
    ]


def _etcd_rules(topology: Topology, components: list[Component]) -> list[str]:
    members = _of(components, "etcd")
    healthy = [m for m in members if m.healthy]
    expected = topology.count("etcd")
    problems = []
    if len(healthy) < expected // 2 + 1:
        problems.append(f"etcd has no quorum: {len(healthy)} of {expected} members healthy")
    leaders = [m for m in healthy if m.role == "leader"]
    if healthy and len(leaders) != 1:
        problems.append(f"etcd should have 1 leader, has {len(leaders)}")
    voting = {int(m.facts["voting_members"]) for m in healthy if "voting_members" in m.facts}
    if voting and voting != {expected}:
        problems.append(f"etcd reports {sorted(voting)} voting members, expected {expected}")
    return problems


def _patroni_rules(topology: Topology, components: list[Component]) -> list[str]:
    members = _of(components, "patroni")
    leaders = [m for m in members if m.role == "leader" and m.healthy]
    problems = []
    if len(leaders) != 1:
        problems.append(f"PostgreSQL should have exactly 1 leader, has {len(leaders)}")
    for member in members:
        if member.role in ("replica", "sync_standby") and not member.facts.get("streaming"):
            member.healthy = False
            member.detail = member.detail or "not streaming from the leader"
    # Someone may switch synchronous_mode off (`patronictl edit-config`, a benchmark of
    # Patroni's defaults): the cluster then works as designed without a sync standby, and it
    # is paws-parity's job, not health's, to flag the drift. Unknown counts as on (shipped).
    asynchronous = [m for m in leaders if m.facts.get("synchronous_mode") is False]
    for leader in asynchronous:
        leader.detail = leader.detail or "synchronous_mode off: asynchronous replication"
    needs_sync_standby = topology.count("patroni") > 1 and not asynchronous
    if needs_sync_standby and not any(m.role == "sync_standby" for m in members):
        problems.append("no synchronous standby: synchronous_mode has nobody to confirm commits")
    return problems


def _redis_rules(topology: Topology, components: list[Component]) -> list[str]:
    members = _of(components, "redis")
    masters = [m for m in members if m.role == "master" and m.healthy]
    if len(masters) != 1:
        return [f"Redis should have exactly 1 master, has {len(masters)}"]
    for member in members:
        if member.role == "replica" and member.facts.get("master_host") != masters[0].name:
            member.healthy = False
            member.detail = f"replicates from {member.facts.get('master_host')}, not the master"
    return []


def _sentinel_rules(topology: Topology, components: list[Component]) -> list[str]:
    sentinels = _of(components, "sentinel")
    masters = [m.name for m in _of(components, "redis") if m.role == "master"]
    named = {s.facts.get("master") for s in sentinels if s.healthy}
    problems = []
    if len(named) > 1:
        problems.append(f"Sentinels disagree on the master: {sorted(map(str, named))}")
    elif named and masters and named != {masters[0]}:
        problems.append(f"Sentinels name {named.pop()} but the master is {masters[0]}")
    return problems


def _haproxy_rules(topology: Topology, components: list[Component]) -> list[str]:
    proxies = _of(components, "haproxy")
    leader = [m.name for m in _of(components, "patroni") if m.role == "leader"]
    master = [m.name for m in _of(components, "redis") if m.role == "master"]
    problems = []
    for proxy in proxies:
        routes = proxy.facts.get("routes", {})
        if leader and routes.get("postgres_primary") != leader[0]:
            problems.append(
                f"HAProxy routes the leader address to {routes.get('postgres_primary')}, "
                f"not to the leader {leader[0]}"
            )
        if master and routes.get("redis_master") != master[0]:
            problems.append(
                f"HAProxy routes the Redis address to {routes.get('redis_master')}, "
                f"not to the master {master[0]}"
            )
    return problems
