"""The public surface is exactly __all__."""

from __future__ import annotations

import paws_ci


def test_all_names_exist_and_nothing_else_is_public() -> None:
    """Every name in __all__ resolves; no public module-level name is left out."""
    for name in paws_ci.__all__:
        assert hasattr(paws_ci, name)
    modules = {
        "act",
        "cli",
        "errors",
        "image",
        "parity",
        "workflow",
        "secrets",
        "settings",
        "report",
        "jobuser",
        "notice",
        "runlock",
    }
    public = {n for n in dir(paws_ci) if not n.startswith("_") and n not in modules}
    assert public <= set(paws_ci.__all__) | {"annotations"}
