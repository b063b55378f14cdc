"""Atomic output writing: write to a temporary sibling, then move it into place.

A stage that fails half-way never leaves a truncated output behind, so DVC never caches one.
The temporary sibling of ``out/name`` is ``out/.staging.name.<random>/``: ``.dvcignore`` ignores
that prefix, so a stage killed mid-write (SIGKILL, power loss) leaves nothing that changes
``dvc status``, and the next write of the same output removes the debris first.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.paths import STAGING_PREFIX


def remove_stale(path: Path) -> None:
    """Delete temporary siblings left by earlier, interrupted writes of ``path``."""
    for old in path.parent.glob(f"{STAGING_PREFIX}{path.name}.*"):
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` if the block succeeds.

    Works for files and directories (the caller creates whichever it needs at the yielded path).
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(final)
    try:
        tmp_dir = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{final.name}.",
                                        dir=final.parent))
    except PermissionError as exc:  # name the folder, not the temporary name tried in it
        raise PermissionError(exc.errno, f"cannot create files in {final.parent}",
                              str(final.parent)) from None
    tmp = tmp_dir / final.name
    try:
        yield tmp
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """Write a table deterministically (fixed float format, no index unless asked)."""
    kwargs.setdefault("index", False)
    kwargs.setdefault("float_format", "%.10g")
    kwargs.setdefault("lineterminator", "\n")
    with atomic_path(path) as tmp:
        df.to_csv(tmp, **kwargs)


def write_json(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write JSON with sorted keys and a trailing newline (byte-stable)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n")


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)
