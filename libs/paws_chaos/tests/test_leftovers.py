"""Recognising faults without a journal, from the engine's view of the containers (pure)."""

from __future__ import annotations

from typing import Any

from paws_chaos import Undo
from paws_chaos.leftovers import (
    MemberState,
    expected_networks,
    in_order,
    member_states,
    recognise,
    recognise_workloads,
)

INFRA = "p_infra"
EXPECTED = {
    "etcd-0": {INFRA: ("etcd-0",)},
    "patroni-0": {INFRA: ("patroni-0",)},
    "haproxy": {INFRA: ("haproxy",), "p_edge": ("haproxy",)},
}


def member(
    service: str, state: str = "running", networks: tuple[str, ...] = (INFRA,)
) -> MemberState:
    return MemberState(service, f"id-{service}", f"p-{service}-1", state, frozenset(networks))


def listed(service: str, state: str, project: str = "p", **labels: str) -> dict[str, Any]:
    """A `containers.list(sparse=True)` entry."""
    return {
        "Id": f"id-{service}",
        "Names": [f"/{project}-{service}-1"],
        "State": state,
        "Labels": {
            "com.docker.compose.project": project,
            "com.docker.compose.service": service,
            **labels,
        },
        "NetworkSettings": {"Networks": {f"{project}_infra": {}}},
    }


class TestRecognise:
    """Each kind of fault paws injects is recognised from the container's state alone."""

    def test_a_healthy_project_needs_nothing(self) -> None:
        """Running, on every network, no rules: no undo (recovery is idempotent)."""
        members = [
            member("etcd-0"),
            member("patroni-0"),
            member("haproxy", networks=(INFRA, "p_edge")),
        ]
        assert recognise(members, EXPECTED, {}) == []

    def test_paused_member_is_unpaused(self) -> None:
        """A frozen leader (leader-freeze killed mid-fault)."""
        found = recognise([member("patroni-0", "paused")], EXPECTED, {})
        assert [u.action for u in found] == ["unpause"]
        assert found[0].container == "id-patroni-0"

    def test_stopped_member_is_started(self) -> None:
        """Killed or stopped members (exited, created, dead) are started."""
        for state in ("exited", "created", "dead"):
            assert [u.action for u in recognise([member("etcd-0", state)], EXPECTED, {})] == [
                "start"
            ]

    def test_disconnected_network_is_reconnected_with_its_alias(self) -> None:
        """Off a network the definition puts it on: reconnect, with compose's DNS names."""
        found = recognise([member("haproxy", networks=(INFRA,))], EXPECTED, {})
        assert [(u.action, u.network, u.aliases) for u in found] == [
            ("connect", "p_edge", ("p-haproxy-1", "haproxy"))
        ]

    def test_paws_rules_are_removed(self) -> None:
        """Rules with paws' comment in a running member's namespace."""
        found = recognise([member("patroni-0")], EXPECTED, {"id-patroni-0": 4})
        assert [u.action for u in found] == ["remove_rules"]

    def test_undos_come_in_the_order_they_can_work(self) -> None:
        """Unpause before connect before start before rules (a paused one cannot be started)."""
        members = [
            member("etcd-0", "exited"),
            member("patroni-0", "paused", networks=()),
            member("haproxy", networks=(INFRA,)),
        ]
        found = recognise(members, EXPECTED, {"id-haproxy": 1})
        assert [u.action for u in found] == [
            "unpause",
            "connect",
            "connect",
            "start",
            "remove_rules",
        ]


class TestMemberStates:
    """Only the project's own service containers are considered."""

    def test_other_projects_are_never_touched(self) -> None:
        """A paused container of project `paws` is not a leftover of `pawstest`."""
        states = member_states([listed("patroni-0", "paused", project="paws")], "pawstest")
        assert states == []

    def test_one_off_containers_are_ignored(self) -> None:
        """`compose run` containers are not members."""
        entry = listed("patroni-0", "exited", **{"com.docker.compose.oneoff": "True"})
        assert member_states([entry], "p") == []

    def test_states_and_networks_are_read(self) -> None:
        """Service, id, name, state and the attached networks."""
        (state,) = member_states([listed("redis-0", "paused")], "p")
        assert (state.service, state.container, state.name, state.state) == (
            "redis-0",
            "id-redis-0",
            "p-redis-0-1",
            "paused",
        )
        assert state.networks == {"p_infra"}


class TestExpectedNetworks:
    """The networks each service should be on come from the compose definition."""

    def test_aliases_and_engine_names(self) -> None:
        """Compose's keys map to engine names; configured aliases join the service name."""
        config = {
            "networks": {"infra": {"name": "p_infra"}, "edge": {"name": "p_edge"}},
            "services": {"haproxy": {"networks": {"infra": {"aliases": ["db"]}, "edge": None}}},
        }
        assert expected_networks(config) == {
            "haproxy": {"p_infra": ("haproxy", "db"), "p_edge": ("haproxy",)}
        }


class TestWorkloads:
    """Only names the workloads themselves create are cleaned up."""

    def test_only_workload_names_match(self) -> None:
        """`chaos_<10 hex>` tables and `chaos:<10 hex>:*` keys; a user's `chaos_notes` stays."""
        found = recognise_workloads(
            ["chaos_0123456789", "chaos_notes", "orders"],
            ["chaos:abcdef0123:1", "chaos:abcdef0123:2", "chaos:mine", "user:1"],
        )
        assert [(u.action, u.table or u.prefix) for u in found] == [
            ("drop_table", "chaos_0123456789"),
            ("delete_keys", "chaos:abcdef0123"),
        ]


class TestInOrder:
    """The journal's undo and the recognised one are the same undo, done once."""

    def test_the_journal_entry_wins(self) -> None:
        """The journal knows the original aliases; recognition only the service name."""
        journaled = Undo(action="connect", container="c", network="n", aliases=("etcd-0", "x"))
        seen = Undo(action="connect", container="c", network="n", aliases=("etcd-0",))
        assert in_order([journaled, seen]) == [journaled]
