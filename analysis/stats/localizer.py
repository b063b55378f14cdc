"""The fMRI localizer procedure applied to network units.

The statistic is the one behind NSD's fLOC t-maps: for category A against the pooled other
categories B, t = (mean_A - mean_B) / sqrt(se_A^2 + se_B^2), se = SD (ddof=1) / sqrt(n) — i.e.
Welch's t. Selection (t > threshold) is :func:`analysis.stats.selection.above`. The stricter
pairwise-conjunction localizer requires A > B for every other category B separately (one-sided
Welch tests) with FDR control across units for each pair (:func:`pairwise_welch`, also the
pairwise-t metric of the selectivity-metrics study).
"""

from __future__ import annotations

import numpy as np
import scipy.stats
from statsmodels.stats.multitest import multipletests

from analysis.stats.standardize import zscore_columns


def welch_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """t of a > b per column. a: (n_a, units), b: (n_b, units). NaN where both SDs are 0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    se2 = a.var(0, ddof=1) / len(a) + b.var(0, ddof=1) / len(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (a.mean(0) - b.mean(0)) / np.sqrt(se2)
    return np.where(se2 > 0, t, np.nan)


def category_t(x: np.ndarray, labels: np.ndarray, categories: list[str]) -> dict[str, np.ndarray]:
    """t of each category against all the other listed categories, per unit.

    x: (n_images, n_units); labels: (n_images,) category of each image. Images whose label is
    not in ``categories`` (e.g. fLoc's scrambled) are ignored.
    """
    labels = np.asarray(labels)
    keep = np.isin(labels, categories)
    out = {}
    for c in categories:
        out[c] = welch_t(x[labels == c], x[keep & (labels != c)])
    return out


def pairwise_welch(target: np.ndarray, others: dict[str, np.ndarray], alpha: float,
                   method: str) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Welch tests of ``target`` > each other category, FDR-controlled across units
    per pair (statsmodels ``method``: 'fdr_bh' or 'fdr_by').

    target: (n_target, n_units); others: category -> (n_c, n_units). Returns the smallest
    pairwise t per unit and whether the unit beats every category: both (n_units,).
    """
    a = np.asarray(target, dtype=np.float64)
    ts, selected = [], np.ones(a.shape[1], dtype=bool)
    for o in others.values():
        o = np.asarray(o, dtype=np.float64)
        ts.append(welch_t(a, o))
        p = scipy.stats.ttest_ind(a, o, equal_var=False, alternative="greater", axis=0).pvalue
        valid = ~np.isnan(p)
        reject = np.zeros_like(selected)
        if valid.any():
            reject[valid] = multipletests(p[valid], alpha=alpha, method=method)[0]
        selected &= reject
    return np.min(np.vstack(ts), axis=0), selected


def conjunction(x: np.ndarray, labels: np.ndarray, category: str, others: list[str],
                alpha: float = 0.05, method: str = "fdr_by") -> np.ndarray:
    """Units whose response to ``category`` exceeds each of ``others`` (FDR per pair)."""
    labels = np.asarray(labels)
    return pairwise_welch(x[labels == category], {o: x[labels == o] for o in others},
                          alpha, method)[1]


def generalisation(x: np.ndarray, labels: np.ndarray, category: str, mask: np.ndarray
                   ) -> dict[str, float]:
    """Do units selected elsewhere still prefer ``category`` on this image set?

    The selected units are z-scored over this set's images and averaged per image; the
    population response to ``category`` images is tested against all other images with a
    one-sided Welch t-test. Also reports the fraction of selected units with a positive t.
    """
    labels = np.asarray(labels)
    if mask.sum() == 0:
        return {"n_units": 0, "t": np.nan, "df": np.nan, "p": np.nan, "frac_units_prefer": np.nan}
    z = zscore_columns(x[:, mask])
    pop = z.mean(1)
    res = scipy.stats.ttest_ind(pop[labels == category], pop[labels != category],
                                equal_var=False, alternative="greater")
    unit_t = welch_t(z[labels == category], z[labels != category])
    return {"n_units": int(mask.sum()), "t": float(res.statistic), "df": float(res.df),
            "p": float(res.pvalue), "frac_units_prefer": float(np.nanmean(unit_t > 0))}
