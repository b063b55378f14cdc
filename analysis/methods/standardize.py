"""z-scoring of units over stimuli (one implementation for every analysis)."""

from __future__ import annotations

import numpy as np


def zscore_columns(x: np.ndarray) -> np.ndarray:
    """(n_stimuli, n_units) -> each unit z-scored over stimuli (population SD, ddof=0);
    a constant unit becomes 0. Float64."""
    x = np.asarray(x, dtype=np.float64)
    sd = x.std(0)
    return np.where(sd > 0, (x - x.mean(0)) / np.where(sd > 0, sd, 1), 0.0)


def varying(x: np.ndarray) -> np.ndarray:
    """Mask of the units that vary over stimuli (SD > 0): (n_units,)."""
    return np.asarray(x, dtype=np.float64).std(0) > 0
