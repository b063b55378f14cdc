"""The NSD stimulus table and stimulus brick."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from analysis.errors import InputError

STIM_COLUMNS = ["cocoId", "cocoSplit", "cropBox", "loss", "nsdId", "flagged", "BOLD5000",
                "shared1000"]


def load_stim_info(path: Path) -> pd.DataFrame:
    """Read ``nsd_stim_info_merged.csv`` (first column is an unnamed index)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"stimulus table not found: {path}")
    table = pd.read_csv(path, index_col=0)
    missing = [c for c in STIM_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"{path} lacks columns {missing}; is it nsd_stim_info_merged.csv?")
    return table


def read_images(path: Path, nsd_ids: np.ndarray) -> np.ndarray:
    """Rows of ``imgBrick`` for 0-based 73k ids: (n, H, W, 3) uint8, in the order asked.

    h5py needs increasing indices, so rows are read in sorted order and then put back.
    """
    path = Path(path)
    ids = np.asarray(nsd_ids, dtype=np.int64)
    if not path.is_file():
        raise InputError(f"stimulus brick not found: {path}")
    with h5py.File(path, "r") as f:
        if "imgBrick" not in f:
            raise InputError(f"{path} has no dataset 'imgBrick'; is it nsd_stimuli.hdf5?")
        brick = f["imgBrick"]
        if ids.size and (ids.min() < 0 or ids.max() >= brick.shape[0]):
            raise InputError(f"image ids {ids.min()}..{ids.max()} are outside {path} "
                             f"(0..{brick.shape[0] - 1}); ids must be 0-based 73k ids")
        uniq, inverse = np.unique(ids, return_inverse=True)
        rows = brick[uniq.tolist()] if uniq.size else np.empty((0, *brick.shape[1:]), np.uint8)
    return rows[inverse]
