"""A work directory of its own for each image build, removed afterwards.

Two builds that shared `.paws/build/rootfs` removed each other's root filesystem half-way.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_dir(parent: Path) -> Iterator[Path]:
    """A fresh directory under `parent` (0700), removed with everything in it at the end."""
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
