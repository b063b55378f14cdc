"""NSD's noise-ceiling SNR (ncsnr) and noise ceiling (Allen et al., 2022)."""

from __future__ import annotations

import numpy as np


def ncsnr(responses: np.ndarray) -> np.ndarray:
    """Noise-ceiling SNR of each voxel from z-scored repeated responses.

    responses: (n_voxels, n_images, n_reps) z-scored betas of images seen n_reps times.
    v = sqrt(mean over images of the within-image variance (ddof=1));
    ncsnr = sqrt(max(1 - v^2, 0)) / v. Returns (n_voxels,).
    """
    r = np.asarray(responses, dtype=np.float64)
    if r.ndim != 3 or r.shape[2] < 2:
        raise ValueError(f"responses must be (voxels, images, reps>=2), got {r.shape}")
    v = np.sqrt(np.mean(np.var(r, axis=2, ddof=1), axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > 0, np.sqrt(np.maximum(1.0 - v**2, 0.0)) / v, np.inf)


def noise_ceiling(ncsnr_values: np.ndarray, n_trials: int) -> np.ndarray:
    """Noise ceiling (percent variance) of responses averaged over ``n_trials`` trials.

    NC = 100 * ncsnr^2 / (ncsnr^2 + 1/n).
    """
    s2 = np.asarray(ncsnr_values, dtype=np.float64) ** 2
    return 100.0 * s2 / (s2 + 1.0 / n_trials)
