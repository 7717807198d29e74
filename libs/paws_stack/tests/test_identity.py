"""Tests for paws_stack._identity: a project created by another checkout is refused."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from paws_stack._identity import (
    WORKING_DIR_LABEL,
    Checkout,
    claim,
    foreign_dirs,
    require_own_projects,
    suggested_name,
)
from paws_stack.errors import ForeignProject, SettingsError
from paws_stack.settings import load_settings


class FakeVolumes:
    def __init__(self, by_project: dict[str, list[str]]) -> None:
        self.by_project = by_project

    def list(self, filters: dict[str, str]) -> list[Any]:
        project = filters["label"].split("=", 1)[1]
        return [SimpleNamespace(name=name) for name in self.by_project.get(project, [])]


class FakeContainers:
    def __init__(self, by_project: dict[str, list[dict[str, str]]]) -> None:
        self.by_project = by_project

    def list(self, all: bool, sparse: bool, filters: dict[str, str]) -> list[Any]:
        project = filters["label"].split("=", 1)[1]
        return [
            SimpleNamespace(attrs={"Labels": labels}) for labels in self.by_project.get(project, [])
        ]


def client(
    by_project: dict[str, list[dict[str, str]]], volumes: dict[str, list[str]] | None = None
) -> Any:
    return SimpleNamespace(
        containers=FakeContainers(by_project), volumes=FakeVolumes(volumes or {})
    )


def checkout(compose_dir: Path, has_secrets: bool = True) -> Checkout:
    return Checkout(compose_dir, compose_dir.parent / ".paws", "paws", has_secrets)


class TestRequireOwnProjects:
    def test_another_checkout_is_refused(self, tmp_path: Path) -> None:
        """Containers labelled with another checkout's compose dir: refused, naming both."""
        mine, theirs = tmp_path / "a" / "compose", tmp_path / "b" / "compose"
        mine.mkdir(parents=True)
        engine = client({"paws": [{WORKING_DIR_LABEL: str(theirs)}]})
        with pytest.raises(ForeignProject) as caught:
            require_own_projects(engine, ["paws", "paws-lite"], checkout(mine))
        message = caught.value.message
        assert f"another checkout ({theirs.parent})" in message
        assert f"not to this one ({mine.parent})" in message
        assert "export PAWS_PROJECT_NAME=paws-a" in caught.value.remediation

    def test_own_checkout_passes(self, tmp_path: Path) -> None:
        """Containers from this checkout (through a symlink, too) are ours."""
        mine = tmp_path / "a" / "compose"
        mine.mkdir(parents=True)
        (tmp_path / "link").symlink_to(tmp_path / "a")
        engine = client(
            {
                "paws": [{WORKING_DIR_LABEL: str(mine)}],
                "paws-lite": [{WORKING_DIR_LABEL: str(tmp_path / "link" / "compose")}],
            }
        )
        require_own_projects(engine, ["paws", "paws-lite"], checkout(mine))

    def test_lite_project_of_another_checkout_is_refused(self, tmp_path: Path) -> None:
        """Both profiles' projects are checked: they share one secrets directory."""
        engine = client({"paws-lite": [{WORKING_DIR_LABEL: "/elsewhere/compose"}]})
        with pytest.raises(ForeignProject, match="project paws-lite belongs to another"):
            require_own_projects(engine, ["paws", "paws-lite"], checkout(tmp_path))

    def test_no_containers_or_no_label_passes(self, tmp_path: Path) -> None:
        """Nothing to compare with (no containers, or not made by compose): not refused."""
        require_own_projects(client({"paws": [{}]}), ["paws"], checkout(tmp_path))
        require_own_projects(client({}), ["paws"], checkout(tmp_path, has_secrets=False))

    def test_volumes_only_of_a_project_this_checkout_never_made(self, tmp_path: Path) -> None:
        """Volumes without containers, no record and no secrets here: another clone's data."""
        engine = client({}, {"paws": ["paws_patroni-0"]})
        with pytest.raises(ForeignProject, match="its volumes exist, its containers do not"):
            require_own_projects(engine, ["paws"], checkout(tmp_path, has_secrets=False))

    def test_volumes_only_of_a_project_this_checkout_made(self, tmp_path: Path) -> None:
        """The record written by `up` makes the stopped project ours."""
        engine = client({}, {"paws": ["paws_patroni-0"]})
        claim(tmp_path.parent / ".paws", "paws", tmp_path)
        require_own_projects(engine, ["paws"], checkout(tmp_path, has_secrets=False))

    def test_volumes_from_before_records_with_secrets_are_ours(self, tmp_path: Path) -> None:
        """No record yet (older paws) but this checkout holds complete secrets: ours."""
        engine = client({}, {"paws": ["paws_patroni-0"]})
        require_own_projects(engine, ["paws"], checkout(tmp_path, has_secrets=True))


class TestSuggestedName:
    @pytest.mark.parametrize(
        ("checkout", "expected"),
        [("paws-2", "paws-paws-2"), ("My Clone", "paws-my-clone"), ("x-lite", "paws-x-lite-2")],
    )
    def test_suggestion_is_a_valid_setting(self, checkout: str, expected: str) -> None:
        """The name in the fix is accepted by the settings (pattern, not a -lite name)."""
        name = suggested_name("paws", Path("/home/me") / checkout / "compose")
        assert name == expected
        assert load_settings(project_name=name).project_name == name

    def test_lite_suffix_is_refused_by_settings(self) -> None:
        """Sanity: the settings refuse what the suggestion avoids."""
        with pytest.raises(SettingsError):
            load_settings(project_name="paws-x-lite")


def test_foreign_dirs_sorted() -> None:
    """Several other checkouts are listed in order."""
    assert foreign_dirs({"/z/compose", "/y/compose"}, Path("/a/compose")) == [
        "/y/compose",
        "/z/compose",
    ]
