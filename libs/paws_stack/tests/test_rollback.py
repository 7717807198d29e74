"""Tests for paws_stack._rollback: an interrupted `up` removes what it created, nothing more."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from paws_stack._rollback import Resources, remove_created, resources


class FakeCollection:
    """containers/volumes/networks of one fake engine; remembers what was removed."""

    def __init__(self, key: str, names: list[str], removed: list[str]) -> None:
        self.key, self.items, self.removed = key, list(names), removed

    def list(self, **kwargs: Any) -> list[Any]:
        return [SimpleNamespace(**{self.key: name}) for name in self.items]

    def get(self, name: str) -> Any:
        def remove(**kwargs: Any) -> None:
            self.items.remove(name)
            self.removed.append(name)

        return SimpleNamespace(remove=remove)


def engine(containers: list[str], volumes: list[str], networks: list[str]) -> Any:
    removed: list[str] = []
    return SimpleNamespace(
        containers=FakeCollection("id", containers, removed),
        volumes=FakeCollection("name", volumes, removed),
        networks=FakeCollection("name", networks, removed),
        removed=removed,
    )


class TestRemoveCreated:
    def test_only_what_this_run_added_is_removed(self) -> None:
        """Containers and volumes that existed before `up` are kept; new ones go."""
        client = engine(["old-c"], ["p_data-old"], ["p_infra"])
        before = resources(client, "p")
        client.containers.items.append("new-c")
        client.volumes.items.append("p_data-new")
        lines: list[str] = []
        created = remove_created(client, "p", before, lines.append, settle_s=0)
        assert client.removed == ["new-c", "p_data-new"]
        assert client.containers.items == ["old-c"] and client.volumes.items == ["p_data-old"]
        assert (
            created.containers == {"new-c"} and "anything that existed before is kept" in lines[0]
        )

    def test_first_up_removes_everything_it_made(self) -> None:
        """From nothing: every container, volume and network of the run is removed."""
        client = engine([], [], [])
        before = resources(client, "p")
        client.containers.items += ["c1", "c2"]
        client.volumes.items += ["p_v"]
        client.networks.items += ["p_infra"]
        remove_created(client, "p", before, lambda line: None, settle_s=0)
        assert sorted(client.removed) == ["c1", "c2", "p_infra", "p_v"]

    def test_nothing_new_means_nothing_removed_or_said(self) -> None:
        """An interrupted `up` that created nothing touches nothing."""
        client = engine(["c"], ["v"], [])
        lines: list[str] = []
        assert not remove_created(client, "p", resources(client, "p"), lines.append, settle_s=0)
        assert client.removed == [] and lines == []

    def test_a_gone_terminal_does_not_stop_the_cleanup(self) -> None:
        """SIGHUP closed the terminal: the message fails, the removal still happens."""
        client = engine([], [], [])
        before = resources(client, "p")
        client.containers.items.append("c")

        def broken(line: str) -> None:
            raise OSError(5, "Input/output error")

        remove_created(client, "p", before, broken, settle_s=0)
        assert client.removed == ["c"]

    def test_a_container_created_after_the_first_pass_is_removed_too(self) -> None:
        """compose's last create request may land after the first listing: caught later."""
        client = engine([], [], [])
        before = resources(client, "p")
        client.containers.items.append("early")
        late = ["late"]
        original = client.containers.list

        def list_then_late(**kwargs: Any) -> list[Any]:
            if late and "early" in client.removed:  # the engine finished one more create
                client.containers.items.append(late.pop())
            return original(**kwargs)

        client.containers.list = list_then_late
        remove_created(client, "p", before, lambda line: None, settle_s=0)
        assert client.removed == ["early", "late"] and client.containers.items == []


def test_resources_added_since() -> None:
    """The difference of two snapshots, per kind."""
    old = Resources(frozenset({"a"}), frozenset(), frozenset())
    new = Resources(frozenset({"a", "b"}), frozenset({"v"}), frozenset())
    assert new.added_since(old) == Resources(frozenset({"b"}), frozenset({"v"}), frozenset())
