"""Selecting category-selective channels: one rule for voxels and units.

A channel (voxel or unit) is selective when its localizer t for the category exceeds the
threshold, strictly ("t above threshold"); a NaN t (a constant unit) is never selected. The main
analysis, the robustness sweep, every table and the stores use this one function, so it sits on
the ground floor (tests/test_layers.py) beside the data model.
"""

from __future__ import annotations

import numpy as np


def above(t: np.ndarray, threshold: float) -> np.ndarray:
    """Boolean mask of t > threshold; NaN is never selected. t: (n_channels,)."""
    return np.nan_to_num(np.asarray(t, dtype=np.float64), nan=-np.inf) > threshold
