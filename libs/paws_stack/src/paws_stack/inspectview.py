"""`paws-stack inspect` output: a document's lists of records as tables, the rest as lines.

On a TTY the tables are rich's; otherwise each record is one tab-separated line after a
`# <section>: <columns>` header, so that grep and cut work on it.
"""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.table import Table


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ",".join(_cell(v) for v in value) or "-"
    if isinstance(value, dict):
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items()) or "-"
    return str(value)


def _records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def write_document(document: dict[str, Any], console: Console, stream: TextIO) -> None:
    for key, value in document.items():
        if not _records(value):
            line = f"{key}\t{_cell(value)}"
            console.print(line.replace("\t", ": "), markup=False) if console.is_terminal else (
                stream.write(line + "\n")
            )
            continue
        columns = list(dict.fromkeys(name for record in value for name in record))
        if console.is_terminal:
            table = Table(title=key)
            for column in columns:
                table.add_column(column)
            for record in value:
                table.add_row(*(_cell(record.get(c)) for c in columns))
            console.print(table)
        else:
            stream.write(f"# {key}: {' '.join(columns)}\n")
            for record in value:
                stream.write("\t".join(_cell(record.get(c)) for c in columns) + "\n")
