"""Tests for reach: when paws relays through the engine, and what it rewrites."""

from __future__ import annotations

from typing import Any

from paws_stack.members import published_targets
from paws_stack.reach import DIRECT, EngineReach, reached_url, through_engine


class FakeRelay:
    """Records what was asked; answers with a loopback port per target."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def to(self, address: str, port: int) -> tuple[str, int]:
        self.asked.append((address, port))
        return "127.0.0.1", 40000 + len(self.asked)

    def close(self) -> None:
        return None


class FakeContainers:
    def __init__(self, listed: list[dict[str, Any]]) -> None:
        self._listed = listed

    def list(self, **_: Any) -> list[Any]:
        return [type("C", (), {"attrs": attrs})() for attrs in self._listed]


class FakeClient:
    def __init__(self, listed: list[dict[str, Any]]) -> None:
        self.containers = FakeContainers(listed)


HAPROXY = {
    "Names": ["/paws-haproxy-1"],
    "NetworkSettings": {"Networks": {"paws_infra": {"IPAddress": "172.30.0.9"}}},
    "Ports": [
        {"IP": "127.0.0.1", "PrivatePort": 5432, "PublicPort": 15432, "Type": "tcp"},
        {"IP": "127.0.0.1", "PrivatePort": 6379, "PublicPort": 16379, "Type": "tcp"},
        {"PrivatePort": 8404, "Type": "tcp"},  # exposed, not published
    ],
}


class TestMode:
    def test_auto_relays_only_when_the_engine_is_not_local_linux(self) -> None:
        assert through_engine("auto", lambda: False)
        assert not through_engine("auto", lambda: True)

    def test_an_explicit_mode_never_asks_the_engine(self) -> None:
        def ask() -> bool:
            raise AssertionError("the engine was asked")

        assert through_engine("engine", ask) and not through_engine("direct", ask)


class TestEngineReach:
    def test_a_published_port_leads_to_the_container_port_behind_it(self) -> None:
        relay = FakeRelay()
        reach = EngineReach(relay, lambda: {15432: ("172.30.0.9", 5432)})  # type: ignore[arg-type]
        assert reach.published("127.0.0.1", 15432) == ("127.0.0.1", 40001)
        assert relay.asked == [("172.30.0.9", 5432)]

    def test_a_port_the_stack_does_not_publish_is_left_alone(self) -> None:
        reach = EngineReach(FakeRelay(), dict)  # type: ignore[arg-type]
        assert reach.published("127.0.0.1", 2222) == ("127.0.0.1", 2222)

    def test_urls_keep_scheme_and_path(self) -> None:
        reach = EngineReach(FakeRelay(), lambda: {23000: ("172.31.0.4", 3000)})  # type: ignore[arg-type]
        assert reach.published_url("http://127.0.0.1:23000/api/notes") == (
            "http://127.0.0.1:40001/api/notes"
        )
        assert reached_url(reach, "https://172.31.0.5:8080/actuator/health") == (
            "https://127.0.0.1:40002/actuator/health"
        )

    def test_direct_changes_nothing(self) -> None:
        assert DIRECT.to("172.30.0.2", 8008) == ("172.30.0.2", 8008)
        assert (
            reached_url(DIRECT, "http://172.30.0.2:8008/health") == "http://172.30.0.2:8008/health"
        )


class TestPublishedTargets:
    def test_each_published_tcp_port_maps_to_its_container_address(self) -> None:
        targets = published_targets(FakeClient([HAPROXY]), "paws")
        assert targets == {15432: ("172.30.0.9", 5432), 16379: ("172.30.0.9", 6379)}

    def test_a_container_without_an_address_publishes_nothing_reachable(self) -> None:
        stopped = {**HAPROXY, "NetworkSettings": {"Networks": {}}}
        assert published_targets(FakeClient([stopped]), "paws") == {}
