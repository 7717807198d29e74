"""Bounds on the documents we read: a few hundred bytes of nested YAML aliases must not cost
minutes and gigabytes (a 437-byte snapshot once took 17 s and 422 MiB).

Two caps, both checked before anything is built from the document: its size in bytes, and the
number of nodes it has once every alias is expanded (computed from the parser's events, in
time linear in the text, without expanding anything).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

# The bundled staging snapshot is 53 kB and about 4 000 nodes; real ones are the same order.
MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000


class TooLarge(ValueError):
    """The document exceeds one of the caps; the message says which and by how much."""


def check_size(size: int) -> None:
    """Refuse more than MAX_BYTES.

    >>> check_size(MAX_BYTES + 1)
    Traceback (most recent call last):
    ...
    paws_parity.limits.TooLarge: 4194305 bytes, more than the limit of 4194304
    """
    if size > MAX_BYTES:
        raise TooLarge(f"{size} bytes, more than the limit of {MAX_BYTES}")


def expanded_nodes(events: Iterable[Any], limit: int = MAX_NODES) -> int:
    """How many nodes the document has with every alias expanded; stops past `limit`.

    >>> from ruamel.yaml import YAML
    >>> bomb = "a: &a [x, x]\\nb: &b [*a, *a]\\nc: &c [*b, *b]\\n"
    >>> expanded_nodes(YAML(typ="safe").parse(bomb))  # 1 map, 3 keys, 3 + 7 + 15 for the lists
    29
    """
    sizes: dict[str, int] = {}  # anchor -> nodes of its subtree, aliases expanded
    open_nodes: list[list[Any]] = []  # [anchor, nodes so far] of each open collection
    total = 0
    for event in events:
        if isinstance(event, AliasEvent):
            count = sizes.get(str(event.anchor), 1)
        elif isinstance(event, CollectionStartEvent):
            open_nodes.append([event.anchor, 1])
            total += 1
            count = 0
        elif isinstance(event, CollectionEndEvent):
            anchor, subtree = open_nodes.pop()
            if anchor is not None:
                sizes[str(anchor)] = subtree
            _add_to_parent(open_nodes, subtree)
            continue
        elif isinstance(event, ScalarEvent):
            if event.anchor is not None:
                sizes[str(event.anchor)] = 1
            count = 1
        else:
            continue  # stream and document boundaries
        total += count
        _add_to_parent(open_nodes, count)
        if total > limit:
            raise TooLarge(f"more than {limit} nodes once its aliases are expanded")
    return total


def _add_to_parent(open_nodes: list[list[Any]], count: int) -> None:
    if open_nodes:
        open_nodes[-1][1] += count
