"""Response profiles of selected voxels or units over the shared images.

Univariate: the mean response of the selected voxels (units) to each image. Multivariate: the
image-by-image representational dissimilarity matrix (RDM, correlation distance 1 - Pearson r
between the images' response patterns), kept in condensed form (scipy's pdist order).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist


def univariate_reps(responses: np.ndarray) -> np.ndarray:
    """(n_vox, n_img, n_rep) -> (n_img, n_rep): mean over voxels for every repetition."""
    return np.nanmean(responses, axis=0)


def univariate_units(acts: np.ndarray) -> np.ndarray:
    """(n_img, n_units) -> (n_img,): mean over units, each unit z-scored over the images first
    (so no unit dominates by its scale; voxels are z-scored per session the same way)."""
    a = np.asarray(acts, dtype=np.float64)
    sd = a.std(0)
    keep = sd > 0
    return ((a[:, keep] - a[:, keep].mean(0)) / sd[keep]).mean(1)


def rdm(patterns: np.ndarray) -> np.ndarray:
    """Condensed correlation-distance RDM of (n_features, n_img) patterns: (n_img*(n_img-1)/2,)."""
    return pdist(np.asarray(patterns, dtype=np.float64).T, metric="correlation")


def pair_mask(index: np.ndarray) -> np.ndarray:
    """Condensed-RDM mask dropping pairs of the same original image (bootstrap duplicates)."""
    i, j = np.triu_indices(len(index), k=1)
    return index[i] != index[j]
