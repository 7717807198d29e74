"""Tests for paws_stack._identity: a project created by another checkout is refused."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from paws_stack._identity import (
    WORKING_DIR_LABEL,
    foreign_dirs,
    require_own_projects,
    suggested_name,
)
from paws_stack.errors import ForeignProject, SettingsError
from paws_stack.settings import load_settings


class FakeContainers:
    def __init__(self, by_project: dict[str, list[dict[str, str]]]) -> None:
        self.by_project = by_project

    def list(self, all: bool, sparse: bool, filters: dict[str, str]) -> list[Any]:
        project = filters["label"].split("=", 1)[1]
        return [
            SimpleNamespace(attrs={"Labels": labels}) for labels in self.by_project.get(project, [])
        ]


def client(by_project: dict[str, list[dict[str, str]]]) -> Any:
    return SimpleNamespace(containers=FakeContainers(by_project))


class TestRequireOwnProjects:
    def test_another_checkout_is_refused(self, tmp_path: Path) -> None:
        """Containers labelled with another checkout's compose dir: refused, naming both."""
        mine, theirs = tmp_path / "a" / "compose", tmp_path / "b" / "compose"
        mine.mkdir(parents=True)
        engine = client({"paws": [{WORKING_DIR_LABEL: str(theirs)}]})
        with pytest.raises(ForeignProject) as caught:
            require_own_projects(engine, ["paws", "paws-lite"], mine, "paws")
        assert str(theirs) in caught.value.message and str(mine) in caught.value.message
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
        require_own_projects(engine, ["paws", "paws-lite"], mine, "paws")

    def test_lite_project_of_another_checkout_is_refused(self, tmp_path: Path) -> None:
        """Both profiles' projects are checked: they share one secrets directory."""
        engine = client({"paws-lite": [{WORKING_DIR_LABEL: "/elsewhere/compose"}]})
        with pytest.raises(ForeignProject, match="project paws-lite belongs to another"):
            require_own_projects(engine, ["paws", "paws-lite"], tmp_path, "paws")

    def test_no_containers_or_no_label_passes(self, tmp_path: Path) -> None:
        """Nothing to compare with (no containers, or not made by compose): not refused."""
        require_own_projects(client({"paws": [{}]}), ["paws"], tmp_path, "paws")
        require_own_projects(client({}), ["paws"], tmp_path, "paws")


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
