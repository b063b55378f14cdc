"""Noise-corrected similarity (correction for attenuation; networks are noiseless).

r_corrected = r(x, y) / sqrt(rel_x * rel_y), rel = reliability of each profile (1 for a
network). The corrected value estimates the correlation of the noise-free profiles, so two
brains with the same true profile score about 1 (and sampling noise can push it above 1).
"""

from __future__ import annotations

import numpy as np
import scipy.stats


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def rdm_similarity(a: np.ndarray, b: np.ndarray, method: str = "pearson") -> float:
    """Similarity of two condensed RDMs: Pearson or Spearman correlation."""
    if method == "spearman":
        return float(scipy.stats.spearmanr(a, b).statistic)
    if method != "pearson":
        raise ValueError(f"rdm_similarity must be pearson or spearman, got {method!r}")
    return pearson(a, b)


def corrected(r: float, rel_x: float, rel_y: float = 1.0) -> float:
    """Correction for attenuation; NaN if a reliability is not positive."""
    if not (rel_x > 0 and rel_y > 0):
        return float("nan")
    return float(r / np.sqrt(rel_x * rel_y))
