"""Reliability of response profiles from repeated measurements.

Two estimators of the reliability of a profile averaged over n repetitions:

* split-half with Spearman-Brown: the mean correlation r1 between profiles of single
  repetitions (every pair of repetitions; with NSD's 3 repetitions the split-half generalised to
  all splits into single trials), stepped up to n: R = n r1 / (1 + (n - 1) r1);
* the NSD noise ceiling: ncsnr of the (standardised) profile, NC = ncsnr^2 / (ncsnr^2 + 1/n),
  the fraction of variance of the n-trial average that is signal.

Both estimate var(signal) / var(n-trial average); they agree in expectation (tested on
simulated data with known truth). The main analysis uses split-half + Spearman-Brown for
univariate profiles: it is the correlation-scale quantity the correction for attenuation needs
and needs no z-scoring assumption. RDMs are not linear in the noise, so their reliability uses
the two-point extrapolation of :func:`rdm_reliability` instead.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from analysis.methods.missing import cov_complete, mean_observed, pearson_complete
from analysis.methods.noise_ceiling import ncsnr
from analysis.methods.similarity import pearson


def spearman_brown(r: float | np.ndarray, factor: float) -> float | np.ndarray:
    """Reliability of a measure ``factor`` times as long: k r / (1 + (k - 1) r) for r >= 0.

    A negative r (no measurable reliability) is returned unchanged: the formula would turn
    r < -1/(k - 1) into a value above 1 (k = 3 maps r = -0.6 to 9)."""
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r >= 0, factor * r / (1 + (factor - 1) * r), r)


def single_rep_correlation(reps: np.ndarray) -> float:
    """Mean Pearson r between the profiles of every pair of repetitions.

    reps: (n_items, n_reps), items = images (univariate) or image pairs (RDM entries).
    Items with a missing repetition are left out of the pairs that need it.
    """
    rs = []
    for a, b in combinations(range(reps.shape[1]), 2):
        ok = ~np.isnan(reps[:, a]) & ~np.isnan(reps[:, b])
        rs.append(pearson(reps[ok, a], reps[ok, b]))
    return float(np.mean(rs))


def split_half_sb(reps: np.ndarray) -> float:
    """Reliability of the mean over all repetitions (Spearman-Brown from single repetitions)."""
    return float(spearman_brown(single_rep_correlation(reps), reps.shape[1]))


def ncsnr_reliability(reps: np.ndarray) -> float:
    """NSD noise ceiling (as a fraction) of the mean profile: reps (n_images, n_reps)."""
    r = np.asarray(reps, dtype=float)
    z = (r - np.nanmean(r)) / np.nanstd(r)
    s = float(ncsnr(z[None])[0])
    return s**2 / (s**2 + 1.0 / r.shape[1])


def rdm_reliability(patterns: np.ndarray, distance) -> float:
    """Reliability of the RDM of repetition-averaged patterns: patterns (n_img, n_vox, n_rep);
    ``distance`` maps (n_img, n_vox) patterns to a condensed RDM.

    Spearman-Brown assumes the error variance falls as 1/n with n repetitions, which does not
    hold for correlation distances: products of the noise of two images add an error term that
    falls as 1/n^2, so stepping up single-repetition RDM reliability underestimates it (and
    over-corrects). Model instead 1/rel_n - 1 = A/n + B/n^2 and identify A and B from two
    measured reliabilities: rel_1 = r(RDM_rep a, RDM_rep b) (single repetitions) and
    rel_(n-1) = r(RDM_rep a, RDM_mean of the others)^2 / rel_1. Then extrapolate to n.
    With B = 0 this is Spearman-Brown.
    """
    n = patterns.shape[2]
    singles = [distance(patterns[:, :, k]) for k in range(n)]
    others = [distance(mean_observed(np.delete(patterns, k, axis=2), axis=2)) for k in range(n)]
    return rdm_reliability_from(singles, others)


def rdm_reliability_from(singles: list[np.ndarray], others: list[np.ndarray]) -> float:
    """:func:`rdm_reliability` from the RDMs of each single repetition and of the mean of the
    other repetitions (condensed, same image pairs): n = len(singles) repetitions.

    Image pairs missing from a repetition (NaN: an image seen fewer than n times) are left out
    of the correlations that need them; the extrapolation still steps up to n.
    """
    n = len(singles)
    r11 = float(np.mean([pearson_complete(singles[a], singles[b])
                         for a, b in combinations(range(n), 2)]))
    r1m = float(np.mean([pearson_complete(singles[k], others[k]) for k in range(n)]))
    if not (r11 > 0 and r1m > 0):
        return float("nan")
    m = n - 1
    y1, ym = 1 / r11 - 1, r11 / r1m**2 - 1
    # A + B = y1 ; A/m + B/m^2 = ym
    b = (ym - y1 / m) / (1 / m**2 - 1 / m) if m > 1 else 0.0
    a = y1 - b
    return float(1 / (1 + a / n + b / n**2))


def crossval_rdm_reliability(singles: list[np.ndarray], others: list[np.ndarray],
                             crossval: np.ndarray) -> float:
    """Reliability of a cross-validated RDM ``crossval`` (condensed; profiles.crossval_rdms):
    var(true RDM) / var(crossval).

    With T the noise-free RDM, the single-repetition RDM s_k = T + noise of repetition k (plus
    a noise-energy term) and the cross-validated RDM of the other repetitions D_-k = T + noise
    of the other repetitions share only T: cov(s_k, D_-k) = var(T) (assuming the noise energy of
    an image pair is unrelated to its true distance). Averaged over k, divided by the observed
    variance of the cross-validated RDM. Needs 3 or more repetitions. The estimate is returned
    as it is, also when sampling error makes it negative (the comparison clips it at 0 where it
    takes a square root, without leaving the subject out); NaN only when it is undefined.
    """
    covs = [cov_complete(s, o) for s, o in zip(singles, others, strict=True)]
    covs = [c for c in covs if np.isfinite(c)]
    d = crossval[np.isfinite(crossval)]
    if not covs or len(d) < 3:
        return float("nan")
    v_true = float(np.mean(covs))
    v_obs = float(np.var(d, ddof=1))
    return v_true / v_obs if v_obs > 0 else float("nan")
