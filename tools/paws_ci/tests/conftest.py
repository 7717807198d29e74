"""Unit tests never meet the host's real local-CI runs.

`paws-ci run` takes a host-wide lock and looks for running act containers. A test that drives
`cli.main` would otherwise be refused whenever local CI runs on the host, or when the unit
job itself runs inside act (its own job containers are act's).
"""

from __future__ import annotations

import pytest

from paws_ci import cli, runlock


@pytest.fixture(autouse=True)
def private_run_lock(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runlock, "LOCK_PATH", tmp_path_factory.mktemp("lock") / "paws-ci.lock")
    monkeypatch.setattr(cli, "running_act_containers", lambda: [])
