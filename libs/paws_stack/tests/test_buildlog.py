"""Tests for paws_stack.buildlog: steps for people, counts for the bar, every line in the log."""

from __future__ import annotations

from pathlib import Path

from paws_stack.buildlog import BuildReport


class RecordingProgress:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.counts: list[tuple[str, int, int | None]] = []

    def message(self, text: str) -> None:
        self.messages.append(text)

    def services(self, states: dict[str, str]) -> None:
        return None

    def count(self, what: str, done: int, total: int | None) -> None:
        self.counts.append((what, done, total))


class TestBuildReport:
    def test_docker_steps_move_the_bar_and_are_not_messages(self, tmp_path: Path) -> None:
        """'Step 3/5 : COPY' becomes a count of 3 of 5; people see no line for it."""
        progress = RecordingProgress()
        report = BuildReport(progress, tmp_path / "build.log")
        report.docker_line("docker build x", "Step 3/5 : COPY a b")
        report.docker_line("docker build x", " ---> Running in 1234")
        report.close()
        assert progress.counts == [("docker build x", 3, 5)]
        assert progress.messages == []

    def test_every_line_reaches_the_log(self, tmp_path: Path) -> None:
        """Steps and raw lines are all written to the log file, in order."""
        log = tmp_path / "logs" / "build.log"
        report = BuildReport(RecordingProgress(), log)
        report("building paws/base")
        report.raw("I: Retrieving libc6")
        report.close()
        text = log.read_text()
        assert text.index("building paws/base") < text.index("I: Retrieving libc6")

    def test_a_new_build_starts_a_new_log(self, tmp_path: Path) -> None:
        """The log holds the latest build only, so the file an error names is about it."""
        log = tmp_path / "build.log"
        for line in ("first", "second"):
            report = BuildReport(RecordingProgress(), log)
            report.raw(line)
            report.close()
        assert "first" not in log.read_text() and "second" in log.read_text()
