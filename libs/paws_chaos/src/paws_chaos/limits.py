"""Bounds on scenario files: nested YAML aliases in a few hundred bytes must not cost minutes
and gigabytes. Two caps, checked before the document is built: its size in bytes, and its
node count with every alias expanded (from the parser's events, without expanding anything).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

# The bundled scenarios are under 1 kB and about 60 nodes each.
MAX_BYTES = 256 * 1024
MAX_NODES = 20_000


class TooLarge(ValueError):
    """The scenario exceeds one of the caps; the message says which."""


def check_size(size: int) -> None:
    """Refuse more than MAX_BYTES.

    >>> check_size(MAX_BYTES + 1)
    Traceback (most recent call last):
    ...
    paws_chaos.limits.TooLarge: 262145 bytes, more than the limit of 262144
    """
    if size > MAX_BYTES:
        raise TooLarge(f"{size} bytes, more than the limit of {MAX_BYTES}")


def expanded_nodes(events: Iterable[yaml.Event], limit: int = MAX_NODES) -> int:
    """How many nodes the document has with every alias expanded; stops past `limit`.

    >>> bomb = "a: &a [x, x]\\nb: &b [*a, *a]\\nc: &c [*b, *b]\\n"
    >>> expanded_nodes(yaml.parse(bomb, Loader=yaml.SafeLoader))  # 1 map, 3 keys, 3 + 7 + 15
    29
    """
    sizes: dict[str, int] = {}  # anchor -> nodes of its subtree, aliases expanded
    open_nodes: list[list[Any]] = []  # [anchor, nodes so far] of each open collection
    total = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            count = sizes.get(str(event.anchor), 1)
        elif isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append([event.anchor, 1])
            total += 1
            count = 0
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, subtree = open_nodes.pop()
            if anchor is not None:
                sizes[str(anchor)] = subtree
            _add_to_parent(open_nodes, subtree)
            continue
        elif isinstance(event, yaml.ScalarEvent):
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


def check_text(text: str) -> None:
    """Both caps on one scenario's text (a YAML syntax error surfaces as yaml.YAMLError)."""
    check_size(len(text.encode("utf-8")))
    expanded_nodes(yaml.parse(text, Loader=yaml.SafeLoader))


def _add_to_parent(open_nodes: list[list[Any]], count: int) -> None:
    if open_nodes:
        open_nodes[-1][1] += count
