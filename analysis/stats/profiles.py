"""Response profiles of selected voxels or units over stimuli.

Univariate: the mean response of the selected voxels (units) to each image. Multivariate: the
image-by-image representational dissimilarity matrix (RDM, correlation distance 1 - Pearson r
between the images' response patterns), kept in condensed form (scipy's pdist order).
Arrays follow :class:`analysis.responses.Responses`: stimuli first, then channels, then
repetitions.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist

from analysis.stats.missing import mean_observed
from analysis.stats.standardize import varying, zscore_columns


def univariate_reps(responses: np.ndarray) -> np.ndarray:
    """(n_img, n_vox, n_rep) -> (n_img, n_rep): mean over voxels for every repetition (NaN
    for a repetition an image does not have)."""
    return mean_observed(responses, axis=1)


def univariate_units(acts: np.ndarray) -> np.ndarray:
    """(n_img, n_units) -> (n_img,): mean over units, each unit z-scored over the images first
    (so no unit dominates by its scale; voxels are z-scored per session the same way).
    Constant units carry no profile and are left out."""
    return zscore_columns(acts)[:, varying(acts)].mean(1)


def rdm(patterns: np.ndarray) -> np.ndarray:
    """Condensed correlation-distance RDM of (n_img, n_features) patterns: (n_img*(n_img-1)/2,)."""
    return pdist(np.asarray(patterns, dtype=np.float64), metric="correlation")


def pair_mask(index: np.ndarray) -> np.ndarray:
    """Condensed-RDM mask dropping pairs of the same original image (bootstrap duplicates)."""
    i, j = np.triu_indices(len(index), k=1)
    return index[i] != index[j]


def pair_positions(index: np.ndarray, n: int) -> np.ndarray:
    """Positions in the condensed RDM of all ``n`` images of the pairs of a sample ``index``
    (pdist order over the sample, pairs of the same image dropped).

    A correlation distance depends only on the two images' patterns, so ``rdm(x)[pair_positions(
    idx, n)]`` equals ``rdm(x[idx])[pair_mask(idx)]`` value for value: RDMs are computed once on
    all images and indexed for every bootstrap sample or cross-validation half.
    """
    index = np.asarray(index, dtype=np.int64)
    i, j = np.triu_indices(len(index), k=1)
    a, b = index[i], index[j]
    keep = a != b
    a, b = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    return n * a - a * (a + 1) // 2 + (b - a - 1)
