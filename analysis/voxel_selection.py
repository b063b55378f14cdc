"""Category-selective voxels: ROI voxels whose fLOC t exceeds the threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd


def above_threshold(tvals: np.ndarray, threshold: float) -> np.ndarray:
    """Boolean mask of t > threshold (strictly above, as 't above threshold')."""
    return np.asarray(tvals) > threshold


def select(store: Path, roi_defs: dict[str, dict[str, Any]], rois: list[str],
           threshold: float) -> pd.DataFrame:
    """Selected voxels of one subject's store: columns roi, voxel (index into the store).

    Early visual ROIs (contrast null) keep all their voxels.
    """
    rows = []
    with h5py.File(store, "r") as f:
        for roi in rois:
            idx = f[f"roi/{roi}"][()]
            contrast = roi_defs[roi]["contrast"]
            if contrast is not None:
                idx = idx[above_threshold(f[f"voxels/t_{contrast}"][()][idx], threshold)]
            rows.append(pd.DataFrame({"roi": roi, "voxel": np.sort(idx)}))
    return pd.concat(rows, ignore_index=True)
