"""Means and correlations over responses with missing repetitions (NaN).

Not every NSD subject saw every shared image three times: with ``shared_images=shared_any`` an
image may have one or two of its three repetitions, the rest NaN (``Responses`` keeps the
repetition axis full). These helpers leave the missing values out, give NaN (silently) where
nothing is left, and give exactly the plain computation's value on complete data.
"""

from __future__ import annotations

import warnings

import numpy as np

from analysis.methods.similarity import complete, pearson


def mean_observed(x: np.ndarray, axis: int) -> np.ndarray:
    """np.nanmean over ``axis`` without the 'Mean of empty slice' warning: NaN where every
    value is missing (a repetition an image never had)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(x, axis=axis)


def pearson_complete(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r over the items both vectors have (pairwise-complete); NaN with fewer than 3."""
    a, b, full = complete(a, b)
    return pearson(a, b) if full or len(a) >= 3 else float("nan")


def cov_complete(a: np.ndarray, b: np.ndarray) -> float:
    """Sample covariance (ddof=1) over the items both vectors have; NaN with fewer than 3."""
    a, b, _ = complete(a, b)
    if len(a) < 3:
        return float("nan")
    return float(np.dot(a - a.mean(), b - b.mean()) / (len(a) - 1))
