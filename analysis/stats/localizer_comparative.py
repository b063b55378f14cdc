"""Finding 1's comparative test: a network's localizer generalisation and overlap at an equal
number of units, against matched untrained networks (same architecture, other seeds).

Why a comparison: the per-network permutation test
(:func:`analysis.methods.localizer.generalisation`) asks whether the selection carries any
category information to a new image set. A low-level
feature that differs between the categories' images in both sets (faces brighter, rounder)
gives that too, and random filters read such features, so untrained networks pass it. Finding
1 is about whether training adds more than an untrained network of the same architecture gets.
Threshold selections also differ in size (a trained layer selects thousands of units, an
untrained one a handful), which confounds any effect size, so both statistics use the ``k``
units with the highest localizer t in every network:

* generalisation, :func:`top_k_generalisation`: the Welch t, on the second set, of the mean z
  response of the localizer's top-k units (each unit z-scored over the second set) to the
  category's images against all other images;
* overlap: the fraction of the localizer's top-k units that are also among the second set's
  own top-k, minus its chance level k / n_ranked
  (:func:`analysis.stats.localizer_tables.top_k_overlap`).

:func:`compare_to_untrained` tests the difference from the matched untrained networks as a
prediction for a new untrained seed: untrained networks of one architecture differ between
seeds by more than image sampling explains (on the demo by an SD of 1.8 and 2.3 in t beyond
it, faces and places in the last layer). For generalisation the
image sampling of both sets comes from a paired bootstrap that redoes the selection in every
replicate (:func:`stratified_bootstrap_weights`); the seeds' spread beyond it is added. The
overlap of two top-k sets is not smooth in the images and its bootstrap SD is not larger than
its SD over realisations in simulated worlds, where that of the generalisation t is about 30 %
larger, i.e. conservative (stage `validate`, tests/test_localizer_comparative.py), so the
overlap's test rests on the seeds' spread alone (which contains each network's image sampling:
the images are the same for all).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
import scipy.stats

from analysis.methods.localizer import _rows_per_chunk


def stratified_bootstrap_weights(labels: np.ndarray, draws: int, rng: np.random.Generator
                                 ) -> np.ndarray:
    """How often each image is drawn when the images of every label are resampled with
    replacement (as many as the label has): (draws, n_images) float64 counts, each label's
    counts summing to its number of images. labels: (n_images,)."""
    if draws < 1:
        raise ValueError(f"draws = {draws}: the bootstrap needs at least one replicate")
    labels = np.asarray(labels)
    out = np.zeros((draws, labels.size))
    for label in dict.fromkeys(labels):
        idx = np.flatnonzero(labels == label)
        out[:, idx] = rng.multinomial(idx.size, np.full(idx.size, 1 / idx.size), size=draws)
    return out


class _WeightedSums:
    """Weighted per-unit sums of one image set for rows of count weights: the set's images
    repeated by their counts, without building the repeated matrix. The sums over a group of
    labels cost one (rows, n_group) x (n_group, n_units) product each for the sum and the sum
    of squares (the group's rows of the centred responses are copied once and kept)."""

    def __init__(self, x: np.ndarray, labels: np.ndarray) -> None:
        x = np.asarray(x, dtype=np.float64)
        self.labels = np.asarray(labels)
        self.xc = x - x.mean(0)  # centred once: sums of squares stay accurate
        self._blocks: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def __call__(self, weights: np.ndarray, group: list[str]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """weights: (rows, n_images) counts; group: labels summed over -> the group's count
        (rows, 1), sum and sum of squares (rows, n_units)."""
        key = tuple(group)
        if key not in self._blocks:
            idx = np.flatnonzero(np.isin(self.labels, group))
            self._blocks[key] = (idx, self.xc[idx], self.xc[idx] ** 2)
        idx, xc, xc2 = self._blocks[key]
        w = weights[:, idx]
        return w.sum(1, keepdims=True), w @ xc, w @ xc2


def _deviations(n: np.ndarray, s: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sum of squared deviations from a count n, sum s and sum of squares q (arrays
    that broadcast); a sum of squares within rounding of 0 (relative to q) is 0, so a unit
    constant in a replicate has variance 0, not a rounding residue."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s / n
    ss = s * mean
    np.subtract(q, ss, out=ss)
    ss *= ss > 1e-10 * q
    return mean, ss


def _welch_from_sums(a: tuple[np.ndarray, ...], total: tuple[np.ndarray, ...]) -> np.ndarray:
    """Welch t of group a against the rest of ``total`` (both (n, sum, sum of squares) from
    :class:`_WeightedSums`): (rows, n_units); NaN where both variances are 0 (or a group has
    fewer than 2 images). In-place arithmetic: these arrays are the bootstrap's main cost."""
    parts = []
    for n, s, q in (a, tuple(t - x for t, x in zip(total, a, strict=True))):
        mean, ss = _deviations(n, s, q)
        with np.errstate(divide="ignore", invalid="ignore"):
            ss /= np.where(n > 1, n * (n - 1), np.nan)  # squared standard error of the mean
        parts.append((mean, ss))
    (diff, se2), (mean_b, se2_b) = parts
    se2 += se2_b
    diff -= mean_b
    with np.errstate(divide="ignore", invalid="ignore"):
        diff /= np.sqrt(se2, out=se2)
    diff[~(se2 > 0)] = np.nan
    return diff


def _members(t: np.ndarray, k: int) -> np.ndarray:
    """(rows, n_units) 0/1: each row's k units with the largest t (NaN never chosen); a row
    with fewer than k finite t is all NaN."""
    top = np.argpartition(-np.where(np.isfinite(t), t, -np.inf), k - 1, axis=1)[:, :k]
    out = np.zeros(t.shape)
    np.put_along_axis(out, top, 1.0, axis=1)
    out[np.isfinite(t).sum(1) < k] = np.nan
    return out


def top_k_generalisation(x1: np.ndarray, labels1: np.ndarray, domains1: list[str],
                         x2: np.ndarray, labels2: np.ndarray, categories: list[str], k: int,
                         weights1: np.ndarray, weights2: np.ndarray) -> dict[str, np.ndarray]:
    """Equal-size generalisation of one layer, per row of image weights.

    x1: (n1, n_units) responses to the localizer (fLoc), labels1: (n1,) its labels, domains1:
    its domains (a category's t is against the other domains; other images are ignored);
    x2: (n2, n_units) responses to the second set, labels2: (n2,); categories: those tested
    (domains of both sets); k: units per selection; weights1: (rows, n1), weights2: (rows, n2)
    how often each image counts in a row (all ones: the observed sets;
    :func:`stratified_bootstrap_weights`: replicates). Every row redoes everything: each unit's
    localizer Welch t, the top k of the units with a finite t, their z-scores over the second
    set (weighted mean and SD, ddof=0; a constant unit counts 0), and the Welch t of their
    mean z on the category's images against all other images (as
    :func:`analysis.methods.localizer.generalisation` does for the threshold selection). Returns
    category -> (rows,) t; NaN in a row where fewer than k units have a finite t.
    """
    labels1, labels2 = np.asarray(labels1), np.asarray(labels2)
    weights1, weights2 = np.atleast_2d(weights1), np.atleast_2d(weights2)
    if len(weights1) != len(weights2):
        raise ValueError(f"weights1 has {len(weights1)} rows, weights2 {len(weights2)}: one row "
                         "per replicate of both image sets")
    n_units = np.shape(x1)[1]
    if not 1 <= k <= n_units:
        raise ValueError(f"k = {k}: needs 1 to {n_units} units (unit_localizer.top_k)")
    missing = [c for c in categories if c not in domains1 or c not in labels2]
    if missing:
        raise ValueError(f"categories {missing} are not in both image sets")
    sums1, sums2 = _WeightedSums(x1, labels1), _WeightedSums(x2, labels2)
    rows = len(weights1)
    out = {c: np.empty(rows) for c in categories}
    step = _rows_per_chunk(n_units)
    for start in range(0, rows, step):
        w1, w2 = weights1[start:start + step], weights2[start:start + step]
        per_domain = {d: sums1(w1, [d]) for d in domains1}
        total1 = cast(tuple[np.ndarray, ...],
                      tuple(sum(v) for v in zip(*per_domain.values(), strict=True)))
        n2, s2, q2 = sums2(w2, list(dict.fromkeys(labels2)))
        ss2 = _deviations(n2, s2, q2)[1]
        inv_sd2 = np.divide(np.sqrt(n2), np.sqrt(ss2), out=np.zeros_like(ss2), where=ss2 > 0)
        for c in categories:
            member = _members(_welch_from_sums(per_domain[c], total1), k)
            # (rows, n2) population response; this product order is the fast one
            pop = (sums2.xc @ (member * inv_sd2).T).T / k
            out[c][start:start + len(w1)] = _population_t(pop, w2, labels2 == c)
    return out


def _population_t(pop: np.ndarray, weights: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Welch t per row of a population response: pop (rows, n_images), weights (rows,
    n_images) counts, target (n_images,) bool (the category's images against the others)."""
    pop = pop - pop.mean(1, keepdims=True)
    a = tuple(np.sum(v, 1, keepdims=True) for v in
              (weights * target, weights * target * pop, weights * target * pop**2))
    total = tuple(np.sum(v, 1, keepdims=True) for v in (weights, weights * pop, weights * pop**2))
    return _welch_from_sums(a, total)[:, 0]


COMPARATIVE_COLUMNS = ["untrained_mean", "difference", "se_images", "seed_sd", "se_difference",
                       "df_difference", "ci_low", "ci_high", "p_vs_untrained", "n_untrained"]


def compare_to_untrained(value: float, untrained: np.ndarray, alpha: float,
                         replicates: np.ndarray | None = None,
                         untrained_replicates: np.ndarray | None = None) -> dict[str, float]:
    """Is a network's statistic above what a new untrained network of its architecture
    reaches on these images?

    value: the network's statistic; untrained: (m,) that of m matched untrained networks (for
    an untrained network: the other seeds); replicates: (draws,) and untrained_replicates:
    (m, draws), optional, their bootstrap replicates from the same image draws (paired). The
    difference D = value - mean(untrained) is tested with

        se^2 = var_boot(D) + (1 + 1/m) tau^2,   tau^2 = max(0, s^2 - v_images),

    var_boot(D) the variance of D over the paired replicates (image sampling of both sets), s^2
    the variance of the m untrained statistics between seeds and v_images the part of it that
    image sampling explains (the between-seed variance of the replicates' deviations from the
    observed values, averaged over replicates); tau^2 is the seed variance beyond the images.
    Without replicates, var_boot = v_images = 0: se^2 = (1 + 1/m) s^2, the exact prediction
    test under exchangeable networks. One-sided p of D > 0 from Student's t with
    Satterthwaite's df (s^2 has m - 1; the bootstrap part is taken as known; normal when
    tau^2 = 0) and the two-sided 1 - 2 alpha interval, whose lower end is the one-sided
    (1 - alpha) bound. Fewer than 2 untrained networks (no spread to estimate), NaN inputs or
    fewer than 2 finite replicates: NaN.
    """
    untrained = np.asarray(untrained, dtype=np.float64)
    m = untrained.size
    out: dict[str, float] = {**dict.fromkeys(COMPARATIVE_COLUMNS, np.nan), "n_untrained": m}
    if m == 0:
        return out
    out.update(untrained_mean=float(untrained.mean()), difference=float(value - untrained.mean()))
    if m < 2 or not np.isfinite(out["difference"]):
        return out
    s2 = float(np.var(untrained, ddof=1))
    v_boot = v_images = 0.0
    if replicates is not None:
        replicates = np.asarray(replicates, dtype=np.float64)
        u_rep = np.atleast_2d(np.asarray(untrained_replicates, dtype=np.float64))
        if u_rep.shape != (m, replicates.size):
            raise ValueError(f"untrained_replicates has shape {u_rep.shape}: needs ({m}, "
                             f"{replicates.size}), one row per untrained network, paired draws")
        finite = np.isfinite(replicates) & np.isfinite(u_rep).all(0)
        if finite.sum() < 2:
            return out
        v_boot = float(np.var(replicates[finite] - u_rep[:, finite].mean(0), ddof=1))
        v_images = float(np.mean(np.var(u_rep[:, finite] - untrained[:, None], 0, ddof=1)))
    tau2, c = max(0.0, s2 - v_images), 1 + 1 / m
    var = v_boot + c * tau2
    if not var > 0:
        return out
    df = var**2 / ((c * s2) ** 2 / (m - 1)) if tau2 > 0 else np.inf
    se, q = np.sqrt(var), scipy.stats.t.ppf(1 - alpha, df)
    out.update(se_images=np.sqrt(v_boot) if replicates is not None else np.nan,
               seed_sd=np.sqrt(tau2), se_difference=float(se), df_difference=float(df),
               ci_low=out["difference"] - q * se, ci_high=out["difference"] + q * se,
               p_vs_untrained=float(scipy.stats.t.sf(out["difference"] / se, df)))
    return out


def compare_networks(table: pd.DataFrame, column: str, arch: dict[str, str], alpha: float,
                     replicates: dict[tuple[str, str, str], np.ndarray] | None = None
                     ) -> pd.DataFrame:
    """``table`` (one row per model/layer/category, with ``trained``) with the comparison of
    each row's ``column`` against the same layer and category of the untrained networks of its
    architecture (arch: model -> :func:`architecture`), other than itself
    (:func:`compare_to_untrained`, with the rows' bootstrap replicates if given), and
    ``beyond_untrained``: p_vs_untrained < alpha (None where not testable)."""
    out = []
    for r in table.itertuples():
        peers = table[(table["layer"] == r.layer) & (table["category"] == r.category)
                      & ~table["trained"].astype(bool) & (table["model"] != r.model)
                      & (table["model"].map(arch) == arch[r.model])]
        reps = {} if replicates is None else {
            "replicates": replicates[r.model, r.layer, r.category],
            "untrained_replicates": np.array([replicates[m, r.layer, r.category]
                                              for m in peers["model"]])}
        c = compare_to_untrained(getattr(r, column), peers[column].to_numpy(), alpha, **reps)
        p = c["p_vs_untrained"]
        out.append({**c, "beyond_untrained": bool(p < alpha) if np.isfinite(p) else None})
    return table.assign(**pd.DataFrame(out, index=table.index,
                                       columns=[*COMPARATIVE_COLUMNS, "beyond_untrained"]))
