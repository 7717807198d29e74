"""From a scenario step to a fault: which members a target picks and which fault is built.
The engine is a fake that hands out named containers; nothing is injected."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from paws_chaos import ScenarioError
from paws_chaos.scenarios import Step
from paws_chaos.targets import FaultBuilder, pick
from paws_stack import Component, HealthReport


def report(*members: tuple[str, str, str]) -> HealthReport:
    components = [
        Component(name=name, kind=kind, healthy=True, role=role, container=f"p-{name}-1")  # type: ignore[arg-type]
        for name, kind, role in members
    ]
    return HealthReport(
        healthy=True, profile="full", project="p", problems=[], components=components
    )


FULL = report(
    ("patroni-0", "patroni", "replica"),
    ("patroni-1", "patroni", "leader"),
    ("patroni-2", "patroni", "sync_standby"),
    ("redis-0", "redis", "master"),
    ("redis-1", "redis", "replica"),
)


class TestPick:
    """A target is `<kind>.<role>`; `any` prefers followers, in name order."""

    def test_a_role_picks_its_holder(self) -> None:
        assert [c.name for c in pick(FULL, "patroni.leader")] == ["patroni-1"]

    def test_any_puts_the_leader_last(self) -> None:
        """Followers first, so `patroni.any` x2 leaves the leader alone."""
        assert [c.name for c in pick(FULL, "patroni.any", 2)] == ["patroni-0", "patroni-2"]
        assert [c.name for c in pick(FULL, "patroni.any", 3)][-1] == "patroni-1"

    def test_too_few_members_names_the_full_profile(self) -> None:
        """The lite profile has one of each: the error says to run against the full one."""
        with pytest.raises(ScenarioError, match="needs 2 member") as caught:
            pick(FULL, "redis.master", 2)
        assert "--profile full" in caught.value.remediation


class FakeClient:
    """The docker SDK's container and network lookups, recording what was asked for."""

    def __init__(self) -> None:
        self.networks_asked: list[str] = []
        self.containers = SimpleNamespace(get=self._container)
        self.networks = SimpleNamespace(get=self._network)

    def _container(self, name: str) -> Any:
        return SimpleNamespace(id=name, name=name, status="running", attrs={})

    def _network(self, name: str) -> Any:
        self.networks_asked.append(name)
        return SimpleNamespace(name=name)


def step(**fields: Any) -> Step:
    return Step.model_validate(fields)


def builder(client: FakeClient | None = None) -> FaultBuilder:
    addresses = {"patroni-0": "10.0.0.2", "patroni-1": "10.0.0.3", "etcd-0": "10.0.0.7"}
    return FaultBuilder(client or FakeClient(), "p", lambda: addresses, "api-pw")


class TestBuild:
    """Each fault kind becomes its Fault on the picked member's container."""

    @pytest.mark.parametrize("fault", ["kill", "stop", "pause"])
    def test_container_faults_name_the_container(self, fault: str) -> None:
        built, members = builder().build(step(fault=fault, target="patroni.leader"), FULL)
        assert [m.name for m in members] == ["patroni-1"]
        assert built.kind == fault and built.target == "p-patroni-1-1"

    def test_disconnect_uses_the_projects_network(self) -> None:
        """The scenario names the network; the project prefix is added."""
        client = FakeClient()
        builder(client).build(
            step(fault="disconnect", target="redis.master", network="infra"), FULL
        )
        assert client.networks_asked == ["p_infra"]

    def test_switchover_is_one_way_and_names_the_candidate(self) -> None:
        """A switchover has nothing to undo; it targets the sync standby."""
        built, _ = builder().build(step(fault="switchover", target="patroni.leader"), FULL)
        assert built.kind == "switchover" and built.records == []
        assert built.target == "patroni-1 -> patroni-2"

    def test_isolate_cuts_the_victim_from_its_peers_only(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Peers are the other members of the named kinds; never the victim itself."""
        seen: list[list[str]] = []
        monkeypatch.setattr(
            "paws_chaos.targets.isolate", lambda container, peers: seen.append(peers) or "fault"
        )
        builder().build(
            step(fault="isolate", target="patroni.leader", peers=["patroni", "etcd"]), FULL
        )
        assert seen == [["10.0.0.7", "10.0.0.2"]]
