"""Voxel-wise encoding models from linear kernels, and the necessity/sufficiency tests of
category-selective units (Dipani & Ratan Murty 2026, Finding 4).

A feature set is a kernel over a subject's images (its own training images first, then the
shared test images). From one layer's kernels, with S the selective units and R_j random unit
sets of the same size:

* ``all``: K; ``lesioned``: K − K_S (every unit but the selective ones); ``selective``: K_S;
* controls ``random_lesioned``: K − K_Rj and ``random_only``: K_Rj (j = 1..draws).

Necessity: does removing S hurt more than removing a random set of the same size?
``necessity = acc(random_lesioned) − acc(lesioned)`` (> 0: the selective units are needed).
Sufficiency: do S alone predict as well as all units, and better than a random set of their
size? ``sufficiency_vs_random = acc(selective) − acc(random_only)``, and the share
``acc(selective) / acc(all)``.

The unit draw is a random factor: S and the random sets are each one draw shared by every
subject, so a test over subjects alone ignores how much another draw of random sets would
change the comparison. The two comparisons with random sets are therefore judged by a
draw-permutation test (under H0, S is exchangeable with a random set of its size: its rank
among the R + 1 sets is uniform; with R = 39 "p <= 0.05" is an exact 5 % two-sided test); the
one-sample t over subjects is kept as a description (``*_p_subjects``). "Not needed" is an
equivalence test on the explained-variance scale (sign(a)·a² of a noise-normalised accuracy a:
the share of the region's explainable variance the model explains) against a smallest effect of
interest, with subjects and draws both in its standard error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from analysis.methods import ridge
from analysis.methods.noise_ceiling import ncsnr, noise_ceiling
from analysis.methods.similarity import pearson

#: The feature sets of one layer, in the order the figure shows them.
MAIN_SETS = ("all", "lesioned", "selective")
CONTROL_SETS = ("random_lesioned", "random_only")


def feature_kernels(k_all: np.ndarray, k_selective: np.ndarray,
                    k_random: Sequence[np.ndarray]) -> dict[tuple[str, int], np.ndarray]:
    """(feature set, draw) -> kernel: all, lesioned and selective (draw 0) and, per random set
    j, random_lesioned and random_only (draw j + 1)."""
    out = {("all", 0): k_all, ("lesioned", 0): k_all - k_selective,
           ("selective", 0): k_selective}
    for j, k in enumerate(k_random):
        out[("random_lesioned", j + 1)] = k_all - k
        out[("random_only", j + 1)] = k
    return out


def fit_predict(kernel: np.ndarray, n_train: int, y_train: np.ndarray,
                relative_alphas: Sequence[float], device: str = "cpu"
                ) -> tuple[np.ndarray, np.ndarray]:
    """Fit on the first ``n_train`` images of ``kernel`` ((n_train + n_test) square), predict
    the rest: ((n_test, n_targets) predictions, (n_targets,) chosen alphas, relative)."""
    k_train = kernel[:n_train, :n_train]
    scale = ridge.kernel_scale(k_train)
    model = ridge.fit(k_train, y_train, np.asarray(relative_alphas) * scale, device)
    return ridge.predict(model, kernel[n_train:, :n_train]), model.alpha / scale


def voxel_accuracy(pred: np.ndarray, measured: np.ndarray) -> pd.DataFrame:
    """Per voxel: r between predicted and measured (mean over repetitions) test responses,
    NSD's noise ceiling of that mean (fraction of variance, from the repetitions' ncsnr) and
    r normalised by the ceiling's square root (1 = as good as the data allow).

    pred: (n_images, n_voxels); measured: (n_images, n_voxels, n_reps), NaN for a missing
    repetition."""
    mean = np.nanmean(measured, axis=2)
    r = np.array([pearson(pred[:, v], mean[:, v]) for v in range(pred.shape[1])])
    reps = np.sum(~np.isnan(measured), axis=2).mean()
    # NSD's ncsnr assumes responses z-scored per voxel (total variance 1): z-score over the
    # test images and repetitions (ncsnr is then scale-free)
    z = (measured - np.nanmean(measured, axis=(0, 2))[None, :, None]) / \
        np.nanstd(measured, axis=(0, 2))[None, :, None]
    nc = noise_ceiling(ncsnr(np.moveaxis(z, 0, 1)), int(round(reps))) / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(nc > 0, r / np.sqrt(nc), np.nan)
    return pd.DataFrame({"r": r, "noise_ceiling": nc, "r_normalised": norm})


class TwoFactorEquivalence(NamedTuple):
    """An equivalence test's estimate, standard error, Welch–Satterthwaite df and one-sided p."""

    estimate: float
    se: float
    df: float
    p: float


def _ttest(x: np.ndarray) -> tuple[float, float, int]:
    """(t, two-sided p, n) of a one-sample t-test of mean 0 over the finite values."""
    x = x[np.isfinite(x)]
    if len(x) < 2 or np.all(x == x[0]):
        return float("nan"), float("nan"), len(x)
    t = stats.ttest_1samp(x, 0.0)
    return float(t.statistic), float(t.pvalue), len(x)


def explained_share(a: np.ndarray) -> np.ndarray:
    """sign(a)·a²: a noise-normalised correlation as the (signed) share of the explainable
    variance the prediction explains (1: all of it). Same shape as ``a``."""
    a = np.asarray(a, dtype=float)
    return np.sign(a) * a**2


def draw_permutation_p(selective: np.ndarray, random: np.ndarray) -> float:
    """Two-sided p that the selective set is no different from random sets of its size.

    selective: (n_subjects,) a value per subject for S; random: (n_subjects, R) the same for
    each of R random sets. A set's statistic is its mean over subjects; with k_hi (k_lo) the
    random sets whose statistic is >= (<=) the selective set's, p = min(1, 2·min(1 + k_hi,
    1 + k_lo) / (R + 1)). Under H0 (S exchangeable with a random set of its size) the selective
    set's rank is uniform, so "p <= alpha" has level <= alpha, exactly alpha when
    alpha·(R + 1) / 2 is an integer (R = 39 at 0.05). NaN without a random set or subject."""
    selective, random = np.asarray(selective, float), np.asarray(random, float)
    if random.ndim != 2 or random.shape[1] == 0 or len(selective) == 0:
        return float("nan")
    t_sel, t_rand = selective.mean(), random.mean(axis=0)
    k_hi, k_lo = np.sum(t_rand >= t_sel), np.sum(t_rand <= t_sel)
    return float(min(1.0, 2 * (1 + min(k_hi, k_lo)) / (random.shape[1] + 1)))


def equivalence_two_factor(selective: np.ndarray, random: np.ndarray, margin: float
                           ) -> TwoFactorEquivalence:
    """One-sided test that the effect of random sets over the selective set is below
    ``margin``, with subjects and the random-set draw as random factors.

    selective: (n_subjects,) a value per subject for S; random: (n_subjects, R) the same for
    each random set. Per subject d_s = mean_j random[s, j] − selective[s]; estimate = mean_s
    d_s; SE² = var_s(d_s) / n_s + var_j(mean_s random[:, j]) / R (the subjects; the draw: another
    R random sets move the estimate by about the second term; their interaction enters both, a
    slight overstatement); df by Welch–Satterthwaite; p = P(t_df <= (estimate − margin) / SE):
    a small p says the effect is below the margin. With identical random sets (no draw
    variance) this is the one-sample t of d_s − margin, alternative "less". NaN with fewer than
    2 subjects or 2 random sets, or a zero SE."""
    selective, random = np.asarray(selective, float), np.asarray(random, float)
    n_s, n_r = random.shape
    nan = TwoFactorEquivalence(float("nan"), float("nan"), float("nan"), float("nan"))
    if n_s < 2 or n_r < 2:
        return nan
    d = random.mean(axis=1) - selective
    v_subjects = d.var(ddof=1) / n_s
    v_draws = random.mean(axis=0).var(ddof=1) / n_r
    se2 = v_subjects + v_draws
    if not se2 > 0:
        return nan
    df = se2**2 / (v_subjects**2 / (n_s - 1) + v_draws**2 / (n_r - 1))
    est, se = float(d.mean()), float(np.sqrt(se2))
    return TwoFactorEquivalence(est, se, float(df),
                                float(stats.t.cdf((est - margin) / se, df)))


def per_subject_sets(acc: pd.DataFrame, value: str) -> pd.DataFrame:
    """One row per subject: each feature set's accuracy (random sets averaged over draws).

    acc: rows with columns subject, feature_set, draw and ``value``."""
    return acc.groupby(["subject", "feature_set"])[value].mean().unstack("feature_set")


def selective_and_random(acc: pd.DataFrame, value: str, selective: str, random: str
                         ) -> tuple[np.ndarray, np.ndarray]:
    """((n, ) ``selective`` set, (n, R) ``random`` sets by draw) values of the n subjects with a
    finite value for every one of them."""
    sel = acc[acc["feature_set"] == selective].groupby("subject")[value].mean()
    rand = acc[acc["feature_set"] == random].groupby(["subject", "draw"])[value].mean() \
        .unstack("draw")
    both = rand.join(sel.rename("selective"), how="inner")
    both = both[np.isfinite(both.to_numpy(dtype=float)).all(axis=1)]
    return (both["selective"].to_numpy(dtype=float),
            both.drop(columns="selective").to_numpy(dtype=float))


#: Comparisons with random sets: name -> (selective set, random sets, sign of the effect).
VERSUS_RANDOM = {"necessity": ("lesioned", "random_lesioned", 1.0),
                 "sufficiency_vs_random": ("selective", "random_only", -1.0)}
#: Comparisons of fixed sets (no draw): name -> (minuend, subtrahend).
FIXED = {"drop_lesioned": ("all", "lesioned"), "drop_selective": ("all", "selective")}


def necessity_sufficiency(acc: pd.DataFrame, value: str, smallest_effect_share: float = 0.05
                          ) -> dict[str, float]:
    """Necessity and sufficiency of the selective units from per-subject accuracies.

    acc: rows with columns subject, feature_set, draw and ``value`` (a noise-normalised
    accuracy). Returns the mean over subjects of every feature set; ``necessity``
    (random_lesioned − lesioned) and ``sufficiency_vs_random`` (selective − random_only), each
    with its draw-permutation ``_p`` (two-sided), ``_draws`` (R), the descriptive t-test over
    subjects (``_t_subjects``, ``_p_subjects``) and ``_n`` subjects; ``drop_lesioned`` (all −
    lesioned) and ``drop_selective`` (all − selective), fixed sets, with a t-test over subjects
    (``_t``, ``_p``, ``_n``); ``sufficiency_share`` (selective / all); and on the
    explained-variance scale (:func:`explained_share`) ``necessity_ev`` with ``_se``, ``_df``
    and ``necessity_equivalence_p``, the one-sided p that removing the selective units costs
    less than ``smallest_effect_share`` of the explainable variance beyond as many random units
    (:func:`equivalence_two_factor`; small: they are not needed)."""
    wide = per_subject_sets(acc, value)
    out: dict[str, float] = {f"mean_{c}": float(wide[c].mean()) for c in wide.columns}
    for name, (a, b) in FIXED.items():
        if a in wide and b in wide:
            d = (wide[a] - wide[b]).to_numpy(dtype=float)
            t, p, n = _ttest(d)
            out.update({name: float(np.nanmean(d)), f"{name}_t": t, f"{name}_p": p,
                        f"{name}_n": n})
    present = set(acc["feature_set"])
    for name, (sel_set, rand_set, sign) in VERSUS_RANDOM.items():
        if not {sel_set, rand_set} <= present:
            continue
        sel, rand = selective_and_random(acc, value, sel_set, rand_set)
        d = sign * (rand.mean(axis=1) - sel) if rand.size else np.zeros(0)
        t, p, n = _ttest(d)
        out.update({name: float(d.mean()) if len(d) else float("nan"),
                    f"{name}_p": draw_permutation_p(sel, rand), f"{name}_draws": rand.shape[1],
                    f"{name}_t_subjects": t, f"{name}_p_subjects": p, f"{name}_n": n})
        if name == "necessity":
            eq = equivalence_two_factor(explained_share(sel), explained_share(rand),
                                        smallest_effect_share)
            out.update({"necessity_ev": eq.estimate, "necessity_ev_se": eq.se,
                        "necessity_ev_df": eq.df, "necessity_equivalence_p": eq.p})
    if "selective" in wide and "all" in wide:
        out["sufficiency_share"] = float((wide["selective"] / wide["all"]).mean())
    return out


def verdict(summary: Mapping[str, float], alpha: float) -> dict[str, bool]:
    """Decisions at level ``alpha``, rejecting when p <= alpha: ``necessary`` when removing the
    selective units hurts more than removing random sets of their size (draw-permutation p,
    two-sided, direction checked); ``not_needed`` when that extra cost is significantly below
    the smallest effect of interest (equivalence); ``better_than_random`` when the selective
    units alone beat random sets of their size (draw-permutation p). A small but extreme
    effect can be ``necessary`` and ``not_needed`` at once: real, and too small to matter."""
    def significant(name: str) -> bool:
        p = summary.get(f"{name}_p", float("nan"))
        return bool(np.isfinite(p) and p <= alpha and summary[name] > 0)
    p_eq = summary.get("necessity_equivalence_p", float("nan"))
    return {"necessary": significant("necessity"),
            "not_needed": bool(np.isfinite(p_eq) and p_eq <= alpha),
            "better_than_random": significant("sufficiency_vs_random")}
