"""The fault journal: written atomically before each injection, gone after the last undo, and
never trusted when it belongs to a live experiment, another project, or is damaged."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import paws_chaos.journal as journal_mod
from paws_chaos import CouldNotRun, Journal, Undo, load_journal
from paws_stack.interrupted import journal_path, process_start

PAUSE = Undo(action="unpause", container="c1", name="p-patroni-1-1")
TABLE = Undo(action="drop_table", table="chaos_0123456789")


@pytest.fixture()
def path(tmp_path: Path) -> Path:
    return journal_path(tmp_path / ".paws", "pawsunit")


def dead_pid() -> int:
    """The pid of a process that has ended (reaped), so it is certainly not running."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


class TestRoundTrip:
    """What the experiment writes is what recovery reads."""

    def test_entries_and_undos_round_trip(self, path: Path) -> None:
        """Faults and workloads come back with every field of their undos."""
        journal = Journal(path, "pawsunit", "leader-freeze")
        journal.add("pause", "postgres table", [TABLE], workload=True)
        connect = Undo(
            action="connect", container="c2", name="n", network="p_infra", aliases=("etcd-0",)
        )
        journal.add("pause", "pause(patroni-1) + disconnect", [PAUSE, connect])
        loaded = load_journal(path, "pawsunit")
        assert loaded is not None
        assert loaded.scenario == "leader-freeze" and loaded.pid == os.getpid()
        assert loaded.undos() == [PAUSE, connect, TABLE]
        assert [e.what for e in loaded.workloads] == ["postgres table"]

    def test_file_is_the_documented_contract(self, path: Path) -> None:
        """Plain JSON with format 1, the project, the writer's pid and start time."""
        Journal(path, "pawsunit", "x").add("pause", "pause(patroni-1)", [PAUSE])
        data = json.loads(path.read_text())
        assert data["format"] == 1 and data["project"] == "pawsunit"
        assert data["pid"] == os.getpid() and data["pid_start"] == process_start(os.getpid())
        assert data["faults"][0]["what"] == "pause(patroni-1)"
        assert data["faults"][0]["kind"] == "pause"
        assert data["faults"][0]["undo"][0]["action"] == "unpause"

    def test_discarding_the_last_entry_removes_the_file(self, path: Path) -> None:
        """Updated as entries go; no file once nothing is left to undo."""
        journal = Journal(path, "pawsunit", "x")
        first = journal.add("pause", "pause", [PAUSE])
        second = journal.add("pause", "table", [TABLE], workload=True)
        journal.discard(first)
        assert load_journal(path, "pawsunit").undos() == [TABLE]  # type: ignore[union-attr]
        journal.discard(second)
        assert not path.exists() and journal.empty


class TestAtomicWrite:
    """A reader sees the old journal or the new one, never a torn one; only we can read it."""

    def test_mode_is_0600_and_no_temporary_is_left(self, path: Path) -> None:
        """The file is private and its folder holds nothing but it."""
        Journal(path, "pawsunit", "x").add("pause", "pause", [PAUSE])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["active.json"]

    def test_a_failed_replace_keeps_the_old_content(
        self, path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the write dies before the rename, the previous journal is intact."""
        journal = Journal(path, "pawsunit", "x")
        journal.add("pause", "pause", [PAUSE])
        before = path.read_text()

        def broken_replace(self: Path, target: Path) -> Path:
            raise OSError("disk full")

        monkeypatch.setattr(journal_mod.Path, "replace", broken_replace)
        with pytest.raises(CouldNotRun, match="cannot write the fault journal"):
            journal.add("pause", "table", [TABLE], workload=True)
        assert path.read_text() == before
        assert [p.name for p in path.parent.iterdir()] == ["active.json"]


class TestRefusals:
    """Recovery acts only on a journal it can trust; a new experiment never overwrites one."""

    def test_another_projects_journal_is_refused(self, path: Path) -> None:
        """A journal naming project `paws` is not acted on for `pawsunit`."""
        Journal(path, "paws", "x").add("pause", "pause", [PAUSE])
        with pytest.raises(CouldNotRun, match="belongs to project 'paws'"):
            load_journal(path, "pawsunit")

    def test_a_damaged_journal_is_refused(self, path: Path) -> None:
        """Half a file (hand-edited, say) is reported, not guessed at."""
        path.parent.mkdir(parents=True)
        path.write_text('{"project": "pawsunit", "pid": ')
        with pytest.raises(CouldNotRun, match="damaged"):
            load_journal(path, "pawsunit")

    def test_a_new_experiment_refuses_a_stale_journal(self, path: Path) -> None:
        """A dead writer's journal must be recovered first, naming the command."""
        journal = Journal(path, "pawsunit", "leader-freeze")
        journal.document.pid = dead_pid()
        journal.add("pause", "pause(patroni-1)", [PAUSE])
        with pytest.raises(CouldNotRun, match="interrupted experiment") as caught:
            Journal.for_project(path.parents[2], "pawsunit", "x")
        assert "nox -s simulate -- --recover" in caught.value.remediation

    def test_a_new_experiment_refuses_while_one_runs(self, path: Path) -> None:
        """A live writer (another process, same start time) means an experiment is running."""
        other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            journal = Journal(path, "pawsunit", "leader-freeze")
            journal.document.pid, journal.document.pid_start = other.pid, process_start(other.pid)
            journal.add("pause", "pause(patroni-1)", [PAUSE])
            with pytest.raises(CouldNotRun, match="is running"):
                Journal.for_project(path.parents[2], "pawsunit", "x")
        finally:
            other.kill()
            other.wait()

    def test_this_process_own_leftover_is_stale(self, path: Path) -> None:
        """An earlier run in this same process (a benchmark loop) left it: recover first."""
        Journal(path, "pawsunit", "leader-freeze").add("pause", "pause", [PAUSE])
        with pytest.raises(CouldNotRun, match="interrupted experiment"):
            Journal.for_project(path.parents[2], "pawsunit", "x")

    def test_no_journal_is_no_refusal(self, path: Path) -> None:
        """Nothing on disk: a new journal starts empty and writes nothing yet."""
        journal = Journal.for_project(path.parents[2], "pawsunit", "x")
        assert journal.path == path and journal.empty and not path.exists()
