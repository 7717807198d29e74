"""An experiment takes the project's lock (paws_stack's file): never beside `up` or `down`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from paws_chaos import cli

HOLD = """
import sys, time
from pathlib import Path
from paws_stack import ProjectLock
with ProjectLock.of(Path(sys.argv[1]), "paws").hold("up"):
    print("held", flush=True)
    time.sleep(30)
"""


def test_run_no_wait_refuses_while_up_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`paws-chaos run --no-wait` while `up` holds `.paws/locks/paws.lock`: exit 2, naming
    the holder, before anything is injected (the engine is never asked)."""
    monkeypatch.delenv("PAWS_PROJECT_NAME", raising=False)
    # structlog is global: bound to this test's captured stderr it would break later tests.
    monkeypatch.setattr(cli._logging, "configure", lambda level: None)
    (tmp_path / "compose").mkdir()
    (tmp_path / "compose" / "compose.yaml").write_text("services: {}\n", "utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / ".paws")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code = cli.main(
            ["--project-dir", str(tmp_path), "run", "patroni-leader-failure", "--no-wait"]
        )
        err = capsys.readouterr().err
        assert code == 2
        assert "project paws is busy" in err and f"(pid {holder.pid}," in err
    finally:
        holder.kill()
        holder.wait()
