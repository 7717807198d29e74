"""Recognising faults without a journal: from the engine's view of the project's containers.

Pure logic: the states come in as data (`MemberState`), the undos go out as data (`Undo`), so
what recovery would do is unit-tested without an engine.

>>> members = [MemberState("patroni-1", "c1", "p-patroni-1-1", "paused", frozenset({"p_infra"})),
...            MemberState("etcd-0", "c2", "p-etcd-0-1", "running", frozenset())]
>>> [u.describe() for u in recognise(members, {"etcd-0": {"p_infra": ("etcd-0",)}}, {})]
['unpause p-patroni-1-1', 'connect p-etcd-0-1 to p_infra']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .journal import ORDER, Undo

# What the workloads create: `chaos_<10 hex>` tables and `chaos:<10 hex>:<n>` keys (runner.py).
TABLE = re.compile(r"^chaos_[0-9a-f]{10}$")
KEY = re.compile(r"^(chaos:[0-9a-f]{10}):")
# The HTTP workload's notes: `paws-chaos:<tag>:...` (http_notes.note_prefix).
NOTE = re.compile(r"^paws-chaos:([0-9a-f]{10}):")
STOPPED = ("exited", "created", "dead")


@dataclass(frozen=True)
class MemberState:
    """One container of the project as the engine lists it."""

    service: str
    container: str
    name: str
    state: str
    networks: frozenset[str]


def member_states(listed: Iterable[Mapping[str, Any]], project: str) -> list[MemberState]:
    """MemberStates from `containers.list(sparse=True)` attrs: the project's service containers
    only (never one-off `compose run` containers, never another project's).

    >>> attrs = {"Id": "c1", "Names": ["/p-redis-0-1"], "State": "exited",
    ...          "Labels": {"com.docker.compose.project": "p",
    ...                     "com.docker.compose.service": "redis-0"},
    ...          "NetworkSettings": {"Networks": {"p_infra": {}}}}
    >>> member_states([attrs], "p")[0].state, member_states([attrs], "other")
    ('exited', [])
    """
    states = []
    for attrs in listed:
        labels = attrs.get("Labels") or {}
        if labels.get("com.docker.compose.project") != project:
            continue
        if labels.get("com.docker.compose.oneoff") == "True":
            continue
        networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
        states.append(
            MemberState(
                service=labels.get("com.docker.compose.service", ""),
                container=str(attrs["Id"]),
                name=str(attrs["Names"][0]).lstrip("/"),
                state=str(attrs["State"]),
                networks=frozenset(networks),
            )
        )
    return sorted(states, key=lambda m: m.service)


def expected_networks(config: Mapping[str, Any]) -> dict[str, dict[str, tuple[str, ...]]]:
    """service -> {engine network name: DNS aliases}, from `compose config --format json`.

    >>> expected_networks({"networks": {"infra": {"name": "p_infra"}},
    ...                    "services": {"etcd-0": {"networks": {"infra": None}}}})
    {'etcd-0': {'p_infra': ('etcd-0',)}}
    """
    names = {
        key: (value or {}).get("name", key) for key, value in config.get("networks", {}).items()
    }
    expected: dict[str, dict[str, tuple[str, ...]]] = {}
    for service, spec in (config.get("services") or {}).items():
        attached = spec.get("networks") or {}
        expected[service] = {
            names.get(key, key): (service, *((options or {}).get("aliases") or ()))
            for key, options in attached.items()
        }
    return expected


def recognise(
    members: list[MemberState],
    expected: Mapping[str, Mapping[str, tuple[str, ...]]],
    rules: Mapping[str, int],
) -> list[Undo]:
    """The undos the containers' states call for: paused, stopped, off a network, or with
    paws iptables rules (`rules`: container id -> number of paws rules in its namespace)."""
    found: list[Undo] = []
    for member in members:
        who, name = member.container, member.name
        if member.state == "paused":
            found.append(Undo(action="unpause", container=who, name=name))
        if member.state in STOPPED:
            found.append(Undo(action="start", container=who, name=name))
        for network, aliases in expected.get(member.service, {}).items():
            if network not in member.networks:
                # Compose's own aliases: the container name, then the service's (+ configured).
                names = (name, *aliases)
                found.append(
                    Undo(action="connect", container=who, name=name, network=network, aliases=names)
                )
        if rules.get(member.container):
            found.append(Undo(action="remove_rules", container=who, name=name))
    return in_order(found)


def recognise_workloads(
    tables: Iterable[str], keys: Iterable[str], notes: Iterable[str] = ()
) -> list[Undo]:
    """Leftover workload tables, key prefixes and HTTP notes, by names only the workloads use.

    >>> found = recognise_workloads(["chaos_0123456789", "orders"],
    ...                             ["chaos:0123456789:5", "session:1"],
    ...                             ["paws-chaos:00c0ffee00:3", "my note"])
    >>> for undo in found:
    ...     print(undo.describe())
    drop table chaos_0123456789
    delete Redis keys chaos:0123456789:*
    delete the HTTP workload's notes paws-chaos:00c0ffee00:*
    """
    found = [Undo(action="drop_table", table=t) for t in sorted(tables) if TABLE.match(t)]
    prefixes = sorted({m.group(1) for k in keys if (m := KEY.match(k))})
    found += [Undo(action="delete_keys", prefix=p) for p in prefixes]
    tags = sorted({m.group(1) for text in notes if (m := NOTE.match(text))})
    found += [Undo(action="delete_notes", prefix=tag) for tag in tags]
    return found


def in_order(undos: Iterable[Undo]) -> list[Undo]:
    """Deduplicated (the first of equal undos wins: the journal's, with its aliases), in the
    order recovery must apply them."""
    unique: dict[tuple[str, str, str], Undo] = {}
    for undo in undos:
        unique.setdefault(undo.key, undo)
    return sorted(unique.values(), key=lambda u: ORDER.index(u.action))
