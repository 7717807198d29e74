"""Read and write YAML 1.2 or JSON documents; validation errors name the line and field."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .errors import InputError
from .limits import TooLarge, check_size, expanded_nodes

M = TypeVar("M", bound=BaseModel)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")  # round-trip keeps line numbers; ruamel reads YAML 1.2 by default
    yaml.version = (1, 2)
    return yaml


def is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def parse_text(
    text: str, *, name: str, json_format: bool, error: type[InputError] = InputError
) -> Any:
    """Parse YAML 1.2 or JSON text into plain Python, or raise `error` naming the line."""
    _within_limits(lambda: check_size(len(text.encode("utf-8"))), name, error)
    if json_format:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(
                f"{name}:{exc.lineno}: not valid JSON: {exc.msg}",
                f"fix the JSON syntax at line {exc.lineno} column {exc.colno}",
                path=name,
                line=exc.lineno,
            ) from None
    return _plain(_load_yaml(text, name=name, error=error))


def _within_limits(check: Any, name: str, error: type[InputError]) -> None:
    try:
        check()
    except TooLarge as exc:
        raise error(
            f"{name}: too large to read: {exc}",
            "use the file paws wrote (snapshots have no YAML aliases), or write the repeated "
            "parts out instead of nesting aliases",
            path=name,
        ) from None


def _load_yaml(text: str, *, name: str, error: type[InputError]) -> Any:
    try:
        _within_limits(lambda: expanded_nodes(_yaml().parse(text)), name, error)
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise error(
            f"{name}:{line}: not valid YAML: {exc.problem or exc.context}",
            f"fix the YAML syntax at line {line}",
            path=name,
            line=line,
        ) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def locate(text: str, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the deepest element of `loc` found in a YAML/JSON text."""
    try:
        node = _yaml().load(text)
    except Exception:  # locating is best effort; the caller already has the real error
        return None
    line = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def validate(
    model: type[M], data: Any, *, text: str, name: str, error: type[InputError], fix: str
) -> M:
    """Validate `data` as `model`; on failure name the file, the line and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [part for part in first["loc"] if isinstance(part, int | str)]
        field = ".".join(str(part) for part in loc) or "(document)"
        line = locate(text, loc)
        where = f"{name}:{line}" if line else name
        raise error(
            f"{where}: field {field!r}: {first['msg']}",
            fix,
            path=name,
            line=line,
            field=field,
        ) from None


def read_model(
    model: type[M], path: Path, *, error: type[InputError], fix: str, text: str | None = None
) -> M:
    """Read a YAML or JSON file as `model`, with errors that name the line and field."""
    name = str(path)
    if text is None:
        try:
            # Before reading: a huge file is refused without being loaded into memory.
            _within_limits(lambda: check_size(path.stat().st_size), name, error)
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise error(f"cannot read {name}: {exc.strerror}", fix, path=name) from None
    data = parse_text(text, name=name, json_format=is_json(path), error=error)
    return validate(model, data, text=text, name=name, error=error, fix=fix)


def dump_text(document: Any, *, json_format: bool) -> str:
    """Serialise a plain document as YAML 1.2 (with the %YAML directive) or JSON."""
    if json_format:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    yaml = _yaml()
    yaml.default_flow_style = False
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()
