"""Response profiles of selected voxels or units over stimuli.

Univariate: the mean response of the selected voxels (units) to each image. Multivariate: the
image-by-image representational dissimilarity matrix (RDM), kept in condensed form (scipy's
pdist order), with one of two distances:

* ``correlation``: 1 - Pearson r between the images' response patterns (the paper's choice). Noise
  inflates the distances of images with weak signal, in every subject alike, which a noiseless
  network lacks: a bias toward human-human similarity (tests/test_rdm_distance.py measures it).
* ``crossval_euclidean``: the cross-validated squared Euclidean distance per feature,
  mean over pairs of different repetitions k != l of (x_ik - x_jk).(x_il - x_jl) / n_features
  (rsatoolbox's crossnobis with identity noise). Noise is independent across repetitions, so
  its expectation is the noise-free squared distance. A noiseless network has the plain squared
  Euclidean distance per unit, the same quantity without noise.
Arrays follow :class:`analysis.responses.Responses`: stimuli first, then channels, then
repetitions.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from scipy.spatial.distance import pdist

from analysis.methods.missing import mean_observed


def univariate_reps(responses: np.ndarray) -> np.ndarray:
    """(n_img, n_vox, n_rep) -> (n_img, n_rep): mean over voxels for every repetition (NaN
    for a repetition an image does not have)."""
    return mean_observed(responses, axis=1)


def univariate_units_sample(acts: np.ndarray, sq: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The univariate profile of network units on the image sample ``idx`` (duplicates
    allowed): the mean over units, each unit z-scored over the sample first (population SD; so
    no unit dominates by its scale, as voxels are z-scored per session), constant units left
    out. Computed without copying the sample: each unit's mean and SD over the sample come
    from the images' draw counts (two matrix-vector products with ``acts`` and
    its elementwise square ``sq``, precomputed), and the profile is one more. Units whose
    variance over the sample is below 1e-12 of their mean square are constant (left out).
    (n_img, n_units), (n_img, n_units), (n_sample,) -> (n_sample,)."""
    w = np.bincount(idx, minlength=len(acts)).astype(np.float64) / len(idx)
    mean, msq = w @ acts, w @ sq
    var = msq - mean**2
    keep = var > 1e-12 * msq
    if not keep.any():
        return np.full(len(idx), np.nan)
    inv = np.where(keep, 1.0 / np.sqrt(np.where(keep, var, 1.0)), 0.0)
    return ((acts @ inv)[idx] - float(mean @ inv)) / int(keep.sum())


def standardized_channels(acts: np.ndarray) -> np.ndarray:
    """Each channel (column) of (n_img, n_channels) noiseless responses z-scored over the
    images (population SD), constant channels dropped: (n_img, n_kept).

    A network unit's scale is arbitrary (a unit twice as large is the same unit), while brain
    voxels are z-scored per session; without this step a few large units would dominate a
    network's RDM (a random scale per unit of log-SD 1 moved the multivariate gap by +0.18
    under a true null, tests/test_comparison.py). A channel is constant when its variance is
    below 1e-12 of its mean square."""
    x = np.asarray(acts, dtype=np.float64)
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    keep = var > 1e-12 * np.maximum((x**2).mean(axis=0), 1e-300)
    return (x[:, keep] - mean[keep]) / np.sqrt(var[keep])


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


def sq_euclidean_rdm(patterns: np.ndarray) -> np.ndarray:
    """Condensed squared Euclidean distance per feature of (n_img, n_features) patterns."""
    x = np.asarray(patterns, dtype=np.float64)
    return pdist(x, metric="sqeuclidean") / x.shape[1]


def _condensed(g: np.ndarray) -> np.ndarray:
    """Condensed upper triangle (pdist order) of a square (n_img, n_img) matrix."""
    i, j = np.triu_indices(g.shape[0], k=1)
    return g[i, j]


def crossval_rdms(data: np.ndarray) -> tuple[np.ndarray, dict[tuple[int, int], np.ndarray],
                                              list[np.ndarray]]:
    """Cross-validated RDMs of repeated patterns: data (n_img, n_features, n_rep).

    Returns (D, pairs, singles): D the cross-validated RDM (mean over repetition pairs of
    :func:`pair_rdm`; NaN for a pair of images without two shared repetitions); pairs
    (k, l) -> the RDM from repetitions k and l; singles[k] the plain squared Euclidean RDM of
    repetition k (noise-inflated; used only for the reliability). A missing repetition (NaN)
    gives NaN in the RDMs that need it.
    """
    x = np.asarray(data, dtype=np.float64)
    n_img, p, n_rep = x.shape
    gram = {(k, q): x[:, :, k] @ x[:, :, q].T for k in range(n_rep) for q in range(k, n_rep)}
    pairs = {}
    for k, q in combinations(range(n_rep), 2):
        g = gram[(k, q)]
        # (x_ik - x_jk).(x_iq - x_jq) = g_ii - g_ij - g_ji + g_jj
        d = np.diag(g)[:, None] + np.diag(g)[None, :] - g - g.T
        pairs[(k, q)] = _condensed(d) / p
    singles = []
    for k in range(n_rep):
        g = gram[(k, k)]
        singles.append(_condensed(np.diag(g)[:, None] + np.diag(g)[None, :] - 2 * g) / p)
    D = (mean_observed(np.stack(list(pairs.values())), axis=0) if pairs
         else np.full(n_img * (n_img - 1) // 2, np.nan))
    return D, pairs, singles


def crossval_others(pairs: dict[tuple[int, int], np.ndarray], n_rep: int) -> list[np.ndarray]:
    """For each repetition k, the cross-validated RDM of the other repetitions (mean of the
    pair RDMs without k; NaN with fewer than 3 repetitions)."""
    n = len(next(iter(pairs.values()))) if pairs else 0
    out = []
    for k in range(n_rep):
        rest = [d for (a, b), d in pairs.items() if k not in (a, b)]
        out.append(mean_observed(np.stack(rest), axis=0) if rest else np.full(n, np.nan))
    return out
