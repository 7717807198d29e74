"""Reading a pg_dumpall file: each table's row count and an order-independent row digest.

The counts come from the dump itself (its COPY blocks), so they are exactly what the backup
holds, whatever was written while it ran. After a restore the same digest is computed from
`COPY <table> (<columns>) TO STDOUT` with the session settings pg_dump uses, and must match.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .backupformat import TableStats

MODULUS = 1 << 256
COPY_HEADER = re.compile(rb"^COPY (?P<table>.+?) (?:\((?P<columns>.*)\) )?FROM stdin;$")
CONNECT = re.compile(
    rb"^\\connect (?:-reuse-previous=on \"dbname='(?P<quoted>(?:[^']|'')*)'\"|(?P<plain>\S+))$"
)
END_OF_DATA = b"\\."
# Text output must be byte-identical to pg_dump's: it sets these (and the client encoding to
# the database's); `backup` runs pg_dumpall with PGTZ=UTC so timestamptz values are in UTC.
SESSION_SETTINGS = (
    "SET DateStyle = ISO",
    "SET IntervalStyle = postgres",
    "SET extra_float_digits = 3",
    "SET TimeZone = 'UTC'",
    "SET row_security = off",
)
DUMP_ENVIRONMENT = {"PGTZ": "UTC"}
# A dump loaded into a cluster Patroni has just bootstrapped meets the roles and the app
# database it created itself; those statements fail harmlessly and nothing else may.
TOLERATED_ERRORS = (
    re.compile(r'ERROR:\s+role "[^"]+" already exists'),
    re.compile(r'ERROR:\s+database "[^"]+" already exists'),
)


@dataclass
class RowDigest:
    """Sum of every row's SHA-256, mod 2**256: equal for equal rows in any order.

    >>> a, b = RowDigest(), RowDigest()
    >>> for row in (b"1\\tx", b"2\\ty"): a.add(row)
    >>> for row in (b"2\\ty", b"1\\tx"): b.add(row)
    >>> a.hexdigest() == b.hexdigest(), a.rows
    (True, 2)
    """

    rows: int = 0
    _sum: int = field(default=0, repr=False)

    def add(self, row: bytes) -> None:
        self.rows += 1
        self._sum = (self._sum + int.from_bytes(hashlib.sha256(row).digest(), "big")) % MODULUS

    def hexdigest(self) -> str:
        return f"{self._sum:064x}"


def rows_digest(data: bytes) -> RowDigest:
    """The digest of COPY text output (one row a line)."""
    digest = RowDigest()
    for line in data.split(b"\n"):
        if line:
            digest.add(line)
    return digest


def _database(match: re.Match[bytes]) -> str:
    quoted = match.group("quoted")
    if quoted is not None:
        return quoted.decode().replace("''", "'")
    plain = match.group("plain").decode()
    if plain.startswith('"') and plain.endswith('"'):
        return plain[1:-1].replace('""', '"')
    return plain


def scan_dump(lines: Iterable[bytes]) -> dict[str, dict[str, TableStats]]:
    """database -> table -> stats, for every COPY block of a pg_dumpall file.

    >>> dump = [b"\\\\connect app", b"COPY public.t (id, note) FROM stdin;", b"1\\ta",
    ...         b"2\\tb", b"\\\\.", b"COPY public.empty (id) FROM stdin;", b"\\\\."]
    >>> tables = scan_dump(dump)["app"]
    >>> tables["public.t"].rows, tables["public.t"].columns, tables["public.empty"].rows
    (2, 'id, note', 0)
    """
    databases: dict[str, dict[str, TableStats]] = {}
    current, table, columns = "postgres", "", ""
    digest: RowDigest | None = None
    for raw in lines:
        line = raw.rstrip(b"\n")
        if digest is not None:
            if line == END_OF_DATA:
                stats = TableStats(columns=columns, rows=digest.rows, digest=digest.hexdigest())
                databases.setdefault(current, {})[table] = stats
                digest = None
            else:
                digest.add(line)
            continue
        if connect := CONNECT.match(line):
            current = _database(connect)
        elif header := COPY_HEADER.match(line):
            table = header.group("table").decode()
            columns = (header.group("columns") or b"").decode()
            digest = RowDigest()
    return databases


def copy_statement(table: str, stats: TableStats) -> str:
    """The COPY that reads a table back the way pg_dump wrote it.

    >>> copy_statement("public.t", TableStats(columns="id, note", rows=0, digest="0" * 64))
    'COPY public.t (id, note) TO STDOUT'
    """
    columns = f" ({stats.columns})" if stats.columns else ""
    return f"COPY {table}{columns} TO STDOUT"


def unexpected_errors(psql_stderr: str) -> list[str]:
    """psql's ERROR lines other than the tolerated ones.

    >>> unexpected_errors('psql:<stdin>:14: ERROR:  role "app" already exists\\n'
    ...                   'psql:<stdin>:90: ERROR:  syntax error at or near "x"')
    ['psql:<stdin>:90: ERROR:  syntax error at or near "x"']
    """
    return [
        line
        for line in psql_stderr.splitlines()
        if "ERROR:" in line and not any(p.search(line) for p in TOLERATED_ERRORS)
    ]
