"""Similarity of profiles: Pearson r of vectors and the correlation of two RDMs (Pearson or
Spearman) over the pairs both have. The correction for attenuation by noise is in
analysis.stats.comparison (a pair's norm and the ratio of means of a group of pairs)."""

from __future__ import annotations

import numpy as np
import scipy.stats


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r of two vectors (NaN if one is constant). The closed form with centred dot
    products: the same value as np.corrcoef (tested) at a fraction of its overhead, which
    matters in the bootstrap's ~10^5 correlations."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    a = a - a.mean()
    b = b - b.mean()
    denom = np.sqrt(np.dot(a, a) * np.dot(b, b))
    return float(np.dot(a, b) / denom) if denom > 0 else float("nan")


def complete(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Two vectors (float64) reduced to the items both have (not NaN), and whether they had
    them all: the one pairwise-complete rule of the correlations and covariances here."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.all():
        return a, b, True
    return a[ok], b[ok], False


def rdm_similarity(a: np.ndarray, b: np.ndarray, method: str = "pearson") -> float:
    """Similarity of two condensed RDMs: Pearson or Spearman correlation, over the image pairs
    both have (a cross-validated distance is missing for an image seen once)."""
    a, b, full = complete(a, b)
    if not full and len(a) < 3:
        return float("nan")
    if method == "spearman":
        return float(scipy.stats.spearmanr(a, b).statistic)
    if method != "pearson":
        raise ValueError(f"rdm_similarity must be pearson or spearman, got {method!r}")
    return pearson(a, b)

