"""The trace search's fast path: json-file logs found, ordered and searched as bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from paws_stack._logfiles import entries_containing, json_log_files
from paws_stack.logquery import LogQuery
from paws_stack.logsource import EngineLogs, LogRead, LogTarget, read_merged

TID = "4bf92f3577b34da6a3ce929d0e0e4736"


def _entry(time: str, text: str) -> bytes:
    return json.dumps({"log": text + "\n", "stream": "stdout", "time": time}).encode() + b"\n"


def _inspect(path: Path, driver: str = "json-file") -> dict[str, Any]:
    return {"LogPath": str(path), "HostConfig": {"LogConfig": {"Type": driver, "Config": {}}}}


class TestFiles:
    def test_rotated_files_oldest_first_then_the_current_one(self, tmp_path: Path) -> None:
        """The engine keeps `<id>-json.log.1` (newest) .. `.N` beside the current file."""
        current = tmp_path / "c-json.log"
        for name in ("c-json.log", "c-json.log.1", "c-json.log.2"):
            (tmp_path / name).write_bytes(b"")
        assert json_log_files(_inspect(current)) == [
            tmp_path / "c-json.log.2",
            tmp_path / "c-json.log.1",
            current,
        ]

    def test_anything_else_reads_through_the_api(self, tmp_path: Path) -> None:
        """Another driver, a path not on this host (a remote engine) or compressed rotations."""
        current = tmp_path / "c-json.log"
        assert json_log_files(_inspect(current)) is None
        current.write_bytes(b"")
        assert json_log_files(_inspect(current, driver="local")) is None
        (tmp_path / "c-json.log.1.gz").write_bytes(b"")
        assert json_log_files(_inspect(current)) is None

    def test_entries_as_the_api_gives_lines_and_a_half_written_one_skipped(
        self, tmp_path: Path
    ) -> None:
        log = tmp_path / "c-json.log"
        log.write_bytes(
            _entry("2026-12-01T23:00:01.5Z", f"one {TID}")
            + _entry("2026-12-01T23:00:02Z", "other")
            + f'{{"log":"half {TID}'.encode()
        )
        assert list(entries_containing([log], TID)) == [f"2026-12-01T23:00:01.5Z one {TID}\n"]


class TestSearch:
    def test_a_trace_search_reads_the_files_and_finds_what_the_api_would(
        self, tmp_path: Path
    ) -> None:
        """Same records from the files as from the API; no logs call is made."""
        log = tmp_path / "c-json.log"
        line = f'{{"level":"info","ts":"2026-12-01T23:00:01Z","msg":"ready","trace_id":"{TID}"}}'
        log.write_bytes(_entry("2026-12-01T23:00:01.000000000Z", line) + _entry("x", "other"))

        class Api:
            def inspect_container(self, name: str) -> dict[str, Any]:
                return _inspect(log)

            def logs(self, name: str, **options: Any) -> bytes:
                raise AssertionError("a trace search over readable files asks no logs")

        query = LogQuery(trace_id=TID)
        read = LogRead(keep=query.keeps_text, contains=TID)
        got = read_merged([LogTarget("etcd-0", "etcd", EngineLogs(Api(), "c"))], read)
        assert [(r.member, r.msg, r.trace_id) for r in got] == [("etcd-0", "ready", TID)]
