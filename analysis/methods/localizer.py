"""The fMRI localizer procedure applied to network units.

The statistic is the one behind NSD's fLOC t-maps: for category A against the pooled other
categories B, t = (mean_A - mean_B) / sqrt(se_A^2 + se_B^2), se = SD (ddof=1) / sqrt(n) — i.e.
Welch's t. Selection (t > threshold) is :func:`analysis.selection.above`. The stricter
pairwise-conjunction localizer requires A > B for every other category B separately (one-sided
Welch tests) with FDR control across units for each pair (:func:`pairwise_welch`, also the
pairwise-t metric of the selectivity-metrics study).

Units selected on one set are tested on an independent set (:func:`generalisation`) against a
baseline of equal-size random unit sets of the same layer, because in untrained networks every
unit shares category-related image drive (low-level differences between the categories'
images), so any set of units "prefers" some category on any set of images. Units of a layer are
correlated, so image sampling is part of the baseline too: each draw pairs a random unit set
with a resampling of the images within categories. The localizers' overlap is tested against
label permutations of the second set (:func:`permuted_top_k_overlap`), which keep the units'
correlations that a hypergeometric null ignores.
"""

from __future__ import annotations

import numpy as np
import scipy.stats
from statsmodels.stats.multitest import multipletests


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


def grouped_welch_t(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Welch t of the images in a group against the other images, for many groupings at once.

    x: (n_images, n_units); groups: (n_groupings, n_images) bool, each row one grouping (at
    least 2 images in and out). Returns (n_groupings, n_units), equal to :func:`welch_t` of
    ``x[row]`` against ``x[~row]`` for each row; NaN where both SDs are 0.
    """
    return _GroupedWelch(x).t(groups)


class _GroupedWelch:
    """Welch t of many groupings of one image set: the per-unit sums are computed once, each
    grouping costs two (n_groupings, n_images) x (n_images, n_units) products."""

    def __init__(self, x: np.ndarray) -> None:
        x = np.asarray(x, dtype=np.float64)
        self.xc = x - x.mean(0)
        self.xc2 = self.xc**2
        self.total, self.total2 = self.xc.sum(0), self.xc2.sum(0)

    def t(self, groups: np.ndarray) -> np.ndarray:
        """groups: (n_groupings, n_images) bool -> (n_groupings, n_units) t."""
        g = np.asarray(groups, dtype=np.float64)
        n_a = g.sum(1, keepdims=True)
        n_b = self.xc.shape[0] - n_a
        sum_a, sq_a = g @ self.xc, g @ self.xc2
        sum_b, sq_b = self.total - sum_a, self.total2 - sq_a
        var_a = np.maximum(sq_a - sum_a**2 / n_a, 0) / (n_a * (n_a - 1))
        var_b = np.maximum(sq_b - sum_b**2 / n_b, 0) / (n_b * (n_b - 1))
        se2 = var_a + var_b  # squared standard error of the difference of means
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (sum_a / n_a - sum_b / n_b) / np.sqrt(se2)
        return np.where(se2 > 0, t, np.nan)


def _rows_per_chunk(n_columns: int) -> int:
    """Rows of a (rows, n_columns) float64 work array kept to about 4 MB (larger chunks are
    slower: every temporary array is then freshly mapped memory)."""
    return max(1, 2**19 // max(n_columns, 1))


def random_set_means(z: np.ndarray, size: int, draws: int, rng: np.random.Generator
                     ) -> np.ndarray:
    """Mean response of random unit sets: (draws, n_images).

    z: (n_images, n_units); each draw takes ``size`` distinct units (columns) uniformly at random
    and averages them per image: a 0-1 (draws, n_units) membership matrix times z.T, in chunks
    of draws so memory stays bounded for large layers.
    """
    n_units = z.shape[1]
    if not 1 <= size <= n_units:
        raise ValueError(f"size = {size}: a random set needs 1 to {n_units} units")
    out = np.empty((draws, z.shape[0]))
    step = _rows_per_chunk(n_units)
    for start in range(0, draws, step):
        keys = rng.random((min(step, draws - start), n_units))
        kth = np.partition(keys, size - 1, axis=1)[:, size - 1:size]
        out[start:start + len(keys)] = (keys <= kth).astype(np.float64) @ z.T / size
    return out


GENERALISATION_COLUMNS = ["n_units", "t", "df", "p_welch", "frac_units_prefer",
                          "baseline_mean", "baseline_sd", "effect_size",
                          "p_baseline_fixed_images", "p_permuted_selection"]


def permuted_selection_t(x1: np.ndarray, labels1: np.ndarray, category: str,
                         categories: list[str], size: int, pool: np.ndarray, z2: np.ndarray,
                         target2: np.ndarray, draws: int, rng: np.random.Generator
                         ) -> np.ndarray:
    """The localizer2 population t of units selected on permuted localizer labels: (draws,).

    x1: (n1, n_units) responses to the localizer (fLoc) images, labels1: (n1,) their labels;
    each draw permutes the labels of the images of ``categories`` (the localizer's domains),
    recomputes every unit's Welch t of ``category`` against the other domains
    (:func:`grouped_welch_t`), selects the ``size`` units of ``pool`` with the highest t, and
    returns the Welch t of their mean z (z2: (n2, n_units), each unit z-scored over localizer2)
    on localizer2's ``category`` images (target2: (n2,) bool) against the others. Permuting the
    localizer's labels keeps everything but the category information: the units' correlations,
    their loadings on features that by chance separate the categories in either set, and the
    selection procedure itself.
    """
    labels1 = np.asarray(labels1)
    pool = np.asarray(pool, dtype=bool)
    if not 1 <= size <= int(pool.sum()):
        raise ValueError(f"size = {size}: a selection needs 1 to {int(pool.sum())} units")
    keep = np.isin(labels1, categories)
    welch, target = _GroupedWelch(x1[keep]), labels1[keep] == category
    groups = rng.permuted(np.tile(target, (draws, 1)), axis=1)
    out = np.empty(draws)
    step = _rows_per_chunk(x1.shape[1])
    for start in range(0, draws, step):
        t = np.nan_to_num(welch.t(groups[start:start + step]), nan=-np.inf)
        t[:, ~pool] = -np.inf
        top = np.argpartition(-t, size - 1, axis=1)[:, :size]
        member = np.zeros(t.shape)
        np.put_along_axis(member, top, 1.0, axis=1)
        pop = z2 @ member.T / size  # (n2, chunk): population response of each selection
        out[start:start + len(t)] = welch_t(pop[target2], pop[~target2])
    return out


def generalisation(x1: np.ndarray, labels1: np.ndarray, categories: list[str], z: np.ndarray,
                   labels: np.ndarray, category: str, mask: np.ndarray, pool: np.ndarray,
                   draws: int, rng: np.random.Generator) -> dict[str, float]:
    """Do units selected on the localizer prefer ``category`` on another image set more than
    the same selection without category information would?

    x1: (n1, n_units) the localizer's responses and labels1 (n1,) its labels, categories its
    domains (the selection's contrast); z: (n_images, n_units) every unit of the layer on the
    second set, each z-scored over its images (once per layer); labels: (n_images,) its
    categories; mask: (n_units,) bool, the selected units; pool: (n_units,) bool, the units
    the localizer could select (finite t; must contain ``mask``); draws: number of random
    sets and of permutations; rng: the stream of this model/layer/category.

    The selected units' mean z per image (the population response) gives ``t``, the Welch t of
    ``category`` images against all other images (``df``, and ``p_welch``, its one-sided p
    without a baseline, which untrained networks pass too: every unit shares the categories'
    low-level drive). Two baselines:

    * random unit sets: the same t of ``draws`` equal-size random sets from ``pool`` on these
      images, its mean and SD (ddof=1), ``effect_size`` = (t - mean) / SD and
      ``p_baseline_fixed_images`` = (1 + #{random t >= t}) / (1 + draws). Descriptive: it is exact
      when the selection is unrelated to the units (exchangeable units), but a selection also
      picks units that load on features which by chance separate the localizer's categories,
      and on a finite second set such features separate its categories by chance too, which
      random sets average away (anti-conservative, tests/test_localizer.py).
    * the decision, ``p_permuted_selection``: the same selection (the ``n`` highest-t units)
      on permuted localizer labels (:func:`permuted_selection_t`), p = (1 + #{t_perm >= t}) /
      (1 + draws), exact under exchangeable localizer labels.

    Also the fraction of selected units whose own t is positive (of those with a t). No selected
    unit: n_units 0 and NaN statistics; every unit of the pool selected: SD 0, effect NaN, p 1.
    """
    labels = np.asarray(labels)
    mask, pool = np.asarray(mask, dtype=bool), np.asarray(pool, dtype=bool)
    if draws < 1:
        raise ValueError(f"draws = {draws}: the baseline needs at least one random unit set")
    if (mask & ~pool).any():
        raise ValueError(f"mask selects {int((mask & ~pool).sum())} units outside pool: random "
                         "sets must be drawn from the units the localizer could select")
    n = int(mask.sum())
    if n == 0:
        return {"n_units": 0, **{k: np.nan for k in GENERALISATION_COLUMNS[1:]}}
    is_cat = labels == category
    pop = z[:, mask].mean(1)
    res = scipy.stats.ttest_ind(pop[is_cat], pop[~is_cat], equal_var=False,
                                alternative="greater")
    unit_t = welch_t(z[is_cat][:, mask], z[~is_cat][:, mask])
    base = random_set_means(z[:, pool], n, draws, rng)
    t_base = welch_t(base.T[is_cat], base.T[~is_cat])
    t = float(res.statistic)
    mean_b, sd_b = float(np.nanmean(t_base)), float(np.nanstd(t_base, ddof=1))
    if not np.isfinite(t):  # the selected units do not vary on this set
        effect = p_fixed = p_perm = np.nan
    elif n == int(pool.sum()):  # every random set is the selected set
        effect, p_fixed, p_perm = np.nan, 1.0, 1.0
    else:  # an undefined null t (units constant on these images) counts against the set
        effect = (t - mean_b) / sd_b if sd_b > 0 else np.nan
        p_fixed = (1 + int(np.sum(~(t_base < t)))) / (1 + draws)
        t_perm = permuted_selection_t(x1, labels1, category, categories, n, pool, z, is_cat,
                                      draws, rng)
        p_perm = (1 + int(np.sum(~(t_perm < t)))) / (1 + draws)
    valid = np.isfinite(unit_t)
    return {"n_units": n, "t": t, "df": float(res.df), "p_welch": float(res.pvalue),
            "frac_units_prefer": float(np.mean(unit_t[valid] > 0)) if valid.any() else np.nan,
            "baseline_mean": mean_b, "baseline_sd": sd_b, "effect_size": effect,
            "p_baseline_fixed_images": p_fixed, "p_permuted_selection": p_perm}


def subsampled_category_t(x: np.ndarray, labels: np.ndarray, category: str,
                          categories: list[str], per_category: int, draws: int,
                          rng: np.random.Generator) -> np.ndarray:
    """Localizer t on fewer images: (draws, n_units).

    x: (n_images, n_units); labels: (n_images,). Each draw keeps ``per_category`` images of
    every listed category (without replacement) and computes the t of ``category`` against the
    other listed categories (:func:`welch_t`), so two image sets can be compared at equal
    images per category (t grows with the square root of the number of images).
    """
    labels = np.asarray(labels)
    pools = [np.flatnonzero(labels == c) for c in categories]
    fewest = min(p.size for p in pools)
    if not 2 <= per_category <= fewest:
        raise ValueError(f"per_category = {per_category}: needs 2 to {fewest} images "
                         f"(the fewest of any of {categories})")
    if draws < 1:
        raise ValueError(f"draws = {draws}: needs at least one subsample")
    out = np.empty((draws, x.shape[1]))
    for d in range(draws):
        idx = np.concatenate([rng.choice(p, per_category, replace=False) for p in pools])
        target = labels[idx] == category
        out[d] = welch_t(x[idx[target]], x[idx[~target]])
    return out


def permuted_top_k_overlap(x: np.ndarray, labels: np.ndarray, category: str,
                           categories: list[str], top_a: np.ndarray, valid: np.ndarray,
                           draws: int, rng: np.random.Generator) -> np.ndarray:
    """Null distribution of a top-k overlap when this set's labels carry no information.

    x: (n_images, n_units) this set's responses; labels: (n_images,); top_a: (n_units,) bool,
    the k units ranked highest by the other localizer; valid: (n_units,) bool, the units ranked
    (finite t on both localizers). Each draw permutes the labels of the listed categories'
    images, recomputes the t of ``category`` against the others for every unit
    (:func:`grouped_welch_t`), takes its k highest valid units and counts how many are in
    ``top_a``. Returns (draws,) int. Permuting images keeps the units' correlations, which the
    hypergeometric null (independent units) ignores.
    """
    labels = np.asarray(labels)
    top_a, valid = np.asarray(top_a, dtype=bool), np.asarray(valid, dtype=bool)
    k = int(top_a.sum())
    if not 1 <= k <= int(valid.sum()) or (top_a & ~valid).any():
        raise ValueError(f"top_a selects {k} units: needs 1 to {int(valid.sum())}, all valid")
    keep = np.isin(labels, categories)
    welch, target = _GroupedWelch(x[keep]), labels[keep] == category
    out = np.empty(draws, dtype=np.intp)
    step = _rows_per_chunk(x.shape[1])
    for start in range(0, draws, step):
        groups = rng.permuted(np.tile(target, (min(step, draws - start), 1)), axis=1)
        t = np.nan_to_num(welch.t(groups), nan=-np.inf)
        t[:, ~valid] = -np.inf
        top = np.argpartition(-t, k - 1, axis=1)[:, :k]
        out[start:start + len(groups)] = top_a[top].sum(1)
    return out
