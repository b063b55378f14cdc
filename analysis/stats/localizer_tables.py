"""Tables of the unit localizers (Figure 2): selection counts, the overlap of two localizers,
and the category profile of the selected units on an independent image set.

Every function takes boolean unit masks (n_units,) and activations (n_images, n_units); masks
come from :func:`analysis.selection.above` or the conjunction localizer.

The overlap at the threshold is confounded by set size: t grows with the square root of the
number of images, and fLoc has more images per category than localizer2, so it selects more
units. Two comparisons remove the confound, each against the overlap expected by chance: equal
images per category (:func:`matched_overlap`, fLoc subsampled) and equal-size top-k sets
(:func:`top_k_overlap`, k the smaller of the two selections).
"""

from __future__ import annotations

import numpy as np
import scipy.stats

from analysis.methods.localizer import permuted_top_k_overlap
from analysis.methods.standardize import zscore_columns
from analysis.selection import above


def count(mask: np.ndarray) -> dict[str, float]:
    """Number and percent of selected units."""
    return {"n_units": int(mask.size), "n_selected": int(mask.sum()),
            "pct_selected": 100.0 * float(mask.mean())}


def overlap(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Units selected by localizer a only, by both, by b only, and the Jaccard index
    |a & b| / |a | b| (NaN when neither selects a unit)."""
    union = int((a | b).sum())
    return {"floc_only": int((a & ~b).sum()), "both": int((a & b).sum()),
            "localizer2_only": int((~a & b).sum()),
            "jaccard": (a & b).sum() / union if union else np.nan}


def chance_overlap(both: int, n_a: int, n_b: int, n: int) -> dict[str, float]:
    """Overlap of two sets of n_a and n_b units out of n, against sets drawn independently at
    random: the expected intersection n_a n_b / n and the hypergeometric P(|A & B| >= both)."""
    return {"expected": n_a * n_b / n,
            "p_hypergeom": float(scipy.stats.hypergeom.sf(both - 1, n, n_a, n_b))}


def top_k(t: np.ndarray, k: int, valid: np.ndarray) -> np.ndarray:
    """(n_units,) bool: the k units of ``valid`` (n_units,) bool with the largest t (n_units,);
    ties go to the lower unit index."""
    order = np.argsort(-np.where(valid, t, -np.inf), kind="stable")
    out = np.zeros(t.shape, dtype=bool)
    out[order[:k]] = True
    return out


TOP_K_COLUMNS = ["k", "n_ranked", "both_top_k", "expected_top_k", "jaccard_top_k",
                 "p_hypergeom_top_k"]


def top_k_overlap(t_a: np.ndarray, t_b: np.ndarray, k: int) -> dict[str, float]:
    """Overlap of the k units ranked highest by each localizer's t (both (n_units,)), among the
    units with a finite t on both (``n_ranked``): the intersection, the Jaccard index
    |A & B| / (2k - |A & B|) and the chance expectation k^2 / n_ranked with its hypergeometric
    p (:func:`chance_overlap`; units treated as independent, see
    :func:`analysis.methods.localizer.permuted_top_k_overlap`). k = 0 gives NaN statistics."""
    valid = np.isfinite(t_a) & np.isfinite(t_b)
    n = int(valid.sum())
    if not 0 <= k <= n:
        raise ValueError(f"k = {k}: needs 0 to {n} (the units with a finite t on both)")
    if k == 0:
        return {"k": 0, "n_ranked": n, **{c: np.nan for c in TOP_K_COLUMNS[2:]}}
    both = int((top_k(t_a, k, valid) & top_k(t_b, k, valid)).sum())
    chance = chance_overlap(both, k, k, n)
    return {"k": k, "n_ranked": n, "both_top_k": both, "expected_top_k": chance["expected"],
            "jaccard_top_k": both / (2 * k - both), "p_hypergeom_top_k": chance["p_hypergeom"]}


def matched_overlap(t_a: np.ndarray, t_b: np.ndarray, threshold: float) -> dict[str, float]:
    """Overlap at the threshold with localizer a's t computed on as many images per category as
    localizer b's: t_a (draws, n_units), one row per image subsample
    (:func:`analysis.methods.localizer.subsampled_category_t`); t_b (n_units,). Means over draws
    of the units a selects (``n_floc_matched``), the intersection with b's selection, the
    intersection expected by chance (n_a n_b / n, n the units with a finite t on both) and the
    Jaccard index (NaN when neither selects a unit)."""
    b = above(t_b, threshold)
    rows = []
    for row in np.atleast_2d(t_a):
        a = above(row, threshold)
        valid = np.isfinite(row) & np.isfinite(t_b)
        n, union = int(valid.sum()), int((a | b).sum())
        rows.append((a.sum(), (a & b).sum(),
                     (a & valid).sum() * (b & valid).sum() / n if n else np.nan,
                     (a & b).sum() / union if union else np.nan))
    n_a, both, expected, jaccard = np.array(rows, dtype=np.float64).T
    return {"n_floc_matched": float(n_a.mean()), "both_matched": float(both.mean()),
            "expected_matched": float(expected.mean()),
            "jaccard_matched": float(np.nanmean(jaccard)) if np.isfinite(jaccard).any()
            else np.nan}


def category_profile(x: np.ndarray, labels: np.ndarray, mask: np.ndarray,
                     categories: list[str]) -> dict[str, float]:
    """Mean z-scored response (units z-scored over this set) of the selected units to each
    category's images: category -> mean z. Empty when no unit is selected."""
    if not mask.any():
        return {}
    z = zscore_columns(x[:, mask])
    labels = np.asarray(labels)
    return {c: float(z[labels == c].mean()) for c in categories}


def equal_k_overlap(t1: np.ndarray, t2: np.ndarray, k: int) -> dict[str, float]:
    """Overlap of the k units ranked highest by fLoc's t1 and by localizer2's t2 (k equal for
    every network): the intersection, its chance level and their difference over k."""
    r = top_k_overlap(t1, t2, k)
    return {"k_equal": k, "both_equal_k": r["both_top_k"],
            "expected_equal_k": r["expected_top_k"],
            "excess_equal_k": (r["both_top_k"] - r["expected_top_k"]) / k}


def top_k_overlap_test(t1: np.ndarray, t2: np.ndarray, k: int, x2: np.ndarray, loc2: np.ndarray,
                   category: str, loc2_domains: list[str], permutations: int,
                   rng: np.random.Generator) -> dict[str, float]:
    """Overlap of the k units ranked highest by fLoc's t1 and by localizer2's t2 (both
    (n_units,)) with its hypergeometric p, and ``p_permutation_top_k`` against
    ``permutations`` label permutations of localizer2 (x2: (n_images, n_units) its responses,
    loc2: (n_images,) its labels); NaN when k = 0."""
    row = top_k_overlap(t1, t2, k)
    if k == 0:
        return {**row, "p_permutation_top_k": np.nan}
    valid = np.isfinite(t1) & np.isfinite(t2)
    null = permuted_top_k_overlap(x2, loc2, category, loc2_domains, top_k(t1, k, valid), valid,
                                  permutations, rng)
    return {**row, "p_permutation_top_k": (1 + int(np.sum(null >= row["both_top_k"])))
            / (1 + permutations)}
