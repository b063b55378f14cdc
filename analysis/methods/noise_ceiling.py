"""NSD's noise-ceiling SNR (ncsnr) and noise ceiling (Allen et al., 2022)."""

from __future__ import annotations

import warnings

import numpy as np


def ncsnr(responses: np.ndarray) -> np.ndarray:
    """Noise-ceiling SNR of each voxel from z-scored repeated responses.

    responses: (n_voxels, n_images, n_reps) z-scored betas of images seen n_reps times.
    v = sqrt(mean over images of the within-image variance (ddof=1));
    ncsnr = sqrt(max(1 - v^2, 0)) / v. Returns (n_voxels,). Missing repetitions (NaN) are left
    out: the variance of an image uses its observed repetitions, the mean over images those
    with at least two.
    """
    r = np.asarray(responses, dtype=np.float64)
    if r.ndim != 3 or r.shape[2] < 2:
        raise ValueError(f"responses must be (voxels, images, reps>=2), got {r.shape}")
    if np.isnan(r).any():
        observed = (~np.isnan(r)).sum(axis=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            var = np.where(observed >= 2, np.nanvar(r, axis=2, ddof=1), np.nan)
            v = np.sqrt(np.nanmean(var, axis=1))
    else:
        v = np.sqrt(np.mean(np.var(r, axis=2, ddof=1), axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > 0, np.sqrt(np.maximum(1.0 - v**2, 0.0)) / v, np.inf)


def noise_ceiling(ncsnr_values: np.ndarray, n_trials: int) -> np.ndarray:
    """Noise ceiling (percent variance) of responses averaged over ``n_trials`` trials.

    NC = 100 * ncsnr^2 / (ncsnr^2 + 1/n).
    """
    s2 = np.asarray(ncsnr_values, dtype=np.float64) ** 2
    return 100.0 * s2 / (s2 + 1.0 / n_trials)
