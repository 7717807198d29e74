"""Tests for paws_stack.inspectview: records as tables or tab-separated lines, the rest as lines."""

from __future__ import annotations

import io

from rich.console import Console

from paws_stack.inspectview import write_document

DOCUMENT = {
    "leader": "patroni-1",
    "sync_standby": ["patroni-0"],
    "members": [
        {"name": "patroni-0", "role": "sync_standby", "lag": 0},
        {"name": "patroni-1", "role": "leader", "lag": None},
    ],
}


class TestPlainOutput:
    def test_scalars_and_lists_are_one_line_each(self) -> None:
        """Without a terminal: `key<TAB>value`; a list of names is comma-joined."""
        stream = io.StringIO()
        write_document(DOCUMENT, Console(file=io.StringIO(), force_terminal=False), stream)
        lines = stream.getvalue().splitlines()
        assert lines[:2] == ["leader\tpatroni-1", "sync_standby\tpatroni-0"]

    def test_records_get_a_header_and_one_line_each(self) -> None:
        """A list of records: a `# section: columns` header, then tab-separated rows; None is -."""
        stream = io.StringIO()
        write_document(DOCUMENT, Console(file=io.StringIO(), force_terminal=False), stream)
        lines = stream.getvalue().splitlines()
        assert lines[2:] == [
            "# members: name role lag",
            "patroni-0\tsync_standby\t0",
            "patroni-1\tleader\t-",
        ]


class TestTerminalOutput:
    def test_records_become_a_table(self) -> None:
        """On a terminal the members are a table titled by their key; stdout stays empty."""
        screen, stream = io.StringIO(), io.StringIO()
        write_document(DOCUMENT, Console(file=screen, force_terminal=True, width=100), stream)
        assert "members" in screen.getvalue() and "patroni-1" in screen.getvalue()
        assert stream.getvalue() == ""
