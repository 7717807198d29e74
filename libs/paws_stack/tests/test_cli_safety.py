"""CLI safety without an engine: `down --volumes` asks or needs --yes; --no-wait fails fast."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from paws_stack import cli, console
from paws_stack._lock import ProjectLock
from paws_stack.errors import SecretsError
from paws_stack.settings import StackSettings
from paws_stack.stack import Stack

VOLUMES = ["paws_etcd-0", "paws_patroni-0"]


class FakeStack:
    """Stands in for Stack: a project with two volumes; records what was asked of it."""

    calls: ClassVar[list[str]] = []
    volumes: ClassVar[list[str]] = VOLUMES

    def __init__(self, settings: StackSettings, progress: Any) -> None:
        self.settings, self.progress = settings, progress
        self.project = settings.project_name

    @property
    def lock(self) -> ProjectLock:
        return ProjectLock.of(self.settings.state_path, self.settings.project_name)

    def inventory(self) -> Any:
        return SimpleNamespace(members=[object()], volumes=list(self.volumes), tls=False)

    def require_own_project(self) -> None:
        self.calls.append("identity")

    def down(self, volumes: bool = False) -> list[str]:
        self.calls.append(f"down volumes={volumes}")
        return list(self.volumes) if volumes else []


@pytest.fixture(autouse=True)
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[type[FakeStack]]:
    for name in list(os.environ):
        if name.startswith("PAWS_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAWS_PROJECT_DIR", str(tmp_path))
    FakeStack.calls = []
    monkeypatch.setattr(cli, "Stack", FakeStack)
    monkeypatch.setattr(console.err, "file", io.StringIO())
    yield FakeStack


def stderr() -> str:
    stream = console.err.file
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()


def tty(monkeypatch: pytest.MonkeyPatch, answer: str | None) -> None:
    """stdin as a terminal answering `answer`, or not a terminal at all (None)."""
    stdin = io.StringIO(answer or "")
    stdin.isatty = lambda: answer is not None  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", stdin)


class TestDownVolumes:
    def test_without_a_terminal_and_without_yes_nothing_is_deleted(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No TTY, no --yes: exit 2, one error naming every volume, the fix says --yes."""
        tty(monkeypatch, None)
        assert cli.main(["down", "--volumes"]) == 2
        assert not any(c.startswith("down") for c in FakeStack.calls)
        errors = [line for line in stderr().splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and all(v in errors[0] for v in VOLUMES)
        assert "fix: add --yes" in stderr()

    def test_ci_true_is_not_consent(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """CI=true (act sets it, on the developer's machine) does not stand in for --yes."""
        tty(monkeypatch, None)
        monkeypatch.setenv("CI", "true")
        assert cli.main(["down", "--volumes"]) == 2
        assert not any(c.startswith("down") for c in FakeStack.calls)

    def test_yes_deletes_without_asking(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """--yes skips the question."""
        tty(monkeypatch, None)
        assert cli.main(["down", "--volumes", "--yes"]) == 0
        assert "down volumes=True" in FakeStack.calls

    @pytest.mark.parametrize("answer", ["y\n", "yes\n"])
    def test_terminal_yes_deletes_after_listing(
        self, monkeypatch: pytest.MonkeyPatch, answer: str
    ) -> None:
        """On a terminal every volume is listed, then the question; `y` deletes."""
        tty(monkeypatch, answer)
        assert cli.main(["down", "--volumes"]) == 0
        shown = stderr()
        assert all(f"  {v}" in shown for v in VOLUMES) and "Delete these 2 volumes?" in shown
        assert "down volumes=True" in FakeStack.calls

    @pytest.mark.parametrize("answer", ["\n", "n\n", "no\n", "whatever\n"])
    def test_terminal_anything_else_keeps_the_data(
        self, monkeypatch: pytest.MonkeyPatch, answer: str
    ) -> None:
        """Enter, `n` or anything but yes: exit 2, nothing deleted, the fix says plain down."""
        tty(monkeypatch, answer)
        assert cli.main(["down", "--volumes"]) == 2
        assert not any(c.startswith("down") for c in FakeStack.calls)
        assert "nothing deleted" in stderr() and "`paws-stack down`" in stderr()

    def test_nothing_to_delete_asks_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """No volumes: no question, no refusal."""
        tty(monkeypatch, None)
        monkeypatch.setattr(FakeStack, "volumes", [])
        assert cli.main(["down", "--volumes"]) == 0

    def test_identity_is_checked_before_listing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Another checkout's volumes are never listed for deletion: identity comes first."""
        tty(monkeypatch, None)
        cli.main(["down", "--volumes"])
        assert FakeStack.calls[0] == "identity"

    def test_plain_down_never_asks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """`down` keeps the data, so there is nothing to confirm."""
        tty(monkeypatch, None)
        assert cli.main(["down"]) == 0
        assert "down volumes=False" in FakeStack.calls


HOLD = """
import sys, time
from pathlib import Path
from paws_stack._lock import ProjectLock
with ProjectLock.of(Path(sys.argv[1]), "paws").hold("up"):
    print("held", flush=True)
    time.sleep(30)
"""


def test_no_wait_fails_naming_the_holder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`down --no-wait` while another command holds the lock: exit 2 naming it; no down."""
    tty(monkeypatch, None)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / ".paws")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert cli.main(["down", "--no-wait"]) == 2
        assert "error: project paws is busy: `-c " in stderr()
        assert f"(pid {holder.pid}, for " in stderr()
        assert FakeStack.calls == []
    finally:
        holder.kill()
        holder.wait()


def test_secrets_dir_is_refused_before_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """setup refuses a foreign PAWS_SECRETS_DIR before installing or asking the engine."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "notes.txt").write_text("mine", "utf-8")

    def no_engine(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("reached the engine")

    monkeypatch.setattr("paws_stack.stack.ensure_engine", no_engine)
    stack = Stack(StackSettings(project_dir=tmp_path, secrets_dir=shared))
    with pytest.raises(SecretsError, match="already holds files paws did not create"):
        stack.setup()
    assert sorted(p.name for p in shared.iterdir()) == ["notes.txt"]
