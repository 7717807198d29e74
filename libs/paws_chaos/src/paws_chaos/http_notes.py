"""The notes the HTTP workload wrote, checked in PostgreSQL itself and removed afterwards.

Every acknowledged note must exist exactly once: looked up by its id (the Idempotency-Key the
backend stores as the id) and by its text, which is unique per request, so a retried insert
stored under another id would show as a duplicate too.

>>> ok = HttpCall("backend", "notes", 0.0, 0.1, 201, key="k1", note_id="k1", text="t1")
>>> failed = HttpCall("frontend", "notes", 1.0, 2.0, 503, key="k2", text="t2")
>>> account_notes([ok, failed], by_id={"k1": 1}, by_text={"t1": 2, "t2": 1})
NotesCheck(lost_ids=[], duplicates=1, stored_unacked=1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from .http_ledger import HttpCall

# Every note text the workload writes starts with this and the run's tag: the handle for a
# cleanup that has lost the ids (an interrupted run, `paws-chaos recover`).
NOTE_PREFIX = "paws-chaos:"


def note_prefix(tag: str) -> str:
    """The text prefix of one run's notes.

    >>> note_prefix("ab12")
    'paws-chaos:ab12:'
    """
    return f"{NOTE_PREFIX}{tag}:"


@dataclass(frozen=True)
class NotesCheck:
    """What PostgreSQL holds of the notes the workload sent."""

    lost_ids: list[str]
    duplicates: int
    stored_unacked: int

    @property
    def lost(self) -> int:
        return len(self.lost_ids)


def account_notes(
    calls: Sequence[HttpCall], by_id: Mapping[str, int], by_text: Mapping[str, int]
) -> NotesCheck:
    """Lost: an acknowledged note whose id is not stored. Duplicates: every row beyond the
    first for one id or one text. Stored unacknowledged: a failed request whose note exists."""
    notes = [c for c in calls if c.call == "notes"]
    acked = [c for c in notes if c.acked]
    lost = sorted(c.note_id for c in acked if by_id.get(c.note_id, 0) < 1)
    extra = sum(n - 1 for n in by_id.values() if n > 1) + sum(
        n - 1 for n in by_text.values() if n > 1
    )
    unacked = {c.text for c in notes if not c.acked and c.text} - {c.text for c in acked}
    stored_unacked = sum(1 for text in unacked if by_text.get(text, 0) > 0)
    return NotesCheck(lost_ids=lost, duplicates=extra, stored_unacked=stored_unacked)


def read_counts(
    conninfo: dict[str, Any], ids: list[str], texts: list[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Rows per id and per text in `notes`, read on the leader (the HAProxy leader address)."""
    with psycopg.connect(**conninfo, autocommit=True) as connection:
        by_id = connection.execute(
            "SELECT id::text, count(*) FROM notes WHERE id = ANY(%s::uuid[]) GROUP BY id",
            (ids,),
        ).fetchall()
        by_text = connection.execute(
            "SELECT text, count(*) FROM notes WHERE text = ANY(%s) GROUP BY text", (texts,)
        ).fetchall()
    return {str(i): int(n) for i, n in by_id}, {str(t): int(n) for t, n in by_text}


def check_notes(conninfo: dict[str, Any], calls: Sequence[HttpCall]) -> NotesCheck:
    """Every acknowledged note exactly once, as the leader has them now."""
    ids = sorted({c.note_id for c in calls if c.acked})
    texts = sorted({c.text for c in calls if c.call == "notes" and c.text})
    by_id, by_text = read_counts(conninfo, ids, texts)
    return account_notes(calls, by_id, by_text)


def delete_notes(conninfo: dict[str, Any], tag: str, ids: Sequence[str] = ()) -> int:
    """Remove one run's notes: the ids it sent and anything carrying its text prefix."""
    with psycopg.connect(**conninfo, autocommit=True) as connection:
        cursor = connection.execute(
            "DELETE FROM notes WHERE id = ANY(%s::uuid[]) OR starts_with(text, %s)",
            (list(ids), note_prefix(tag)),
        )
        return cursor.rowcount
