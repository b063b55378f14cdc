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
``acc(selective) / acc(all)``. Both are computed per subject; subjects are the unit of
inference (one-sample t-test over subjects, scipy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats import ridge
from analysis.stats.noise_ceiling import ncsnr, noise_ceiling
from analysis.stats.similarity import pearson

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


def _ttest(x: np.ndarray) -> tuple[float, float, int]:
    """(t, two-sided p, n) of a one-sample t-test of mean 0 over the finite values."""
    x = x[np.isfinite(x)]
    if len(x) < 2 or np.all(x == x[0]):
        return float("nan"), float("nan"), len(x)
    t = stats.ttest_1samp(x, 0.0)
    return float(t.statistic), float(t.pvalue), len(x)


def per_subject_sets(acc: pd.DataFrame, value: str) -> pd.DataFrame:
    """One row per subject: each feature set's accuracy (random sets averaged over draws).

    acc: rows with columns subject, feature_set, draw and ``value``."""
    return acc.groupby(["subject", "feature_set"])[value].mean().unstack("feature_set")


def necessity_sufficiency(acc: pd.DataFrame, value: str, margin: float = 0.02
                          ) -> dict[str, float]:
    """Necessity and sufficiency of the selective units from per-subject accuracies.

    Returns the mean over subjects of every feature set, ``necessity`` (random_lesioned −
    lesioned), ``drop_lesioned`` (all − lesioned), ``sufficiency_vs_random`` (selective −
    random_only), ``sufficiency_share`` (selective / all), each difference with its t, p and
    the number of subjects; and ``necessity_below_margin_p``, the one-sided p that the necessity
    effect is smaller than ``margin`` (an equivalence test: a small p says removing the
    selective units costs less than ``margin`` beyond random units, i.e. they are not needed)."""
    wide = per_subject_sets(acc, value)
    out: dict[str, float] = {f"mean_{c}": float(wide[c].mean()) for c in wide.columns}
    diffs = {"drop_lesioned": ("all", "lesioned"), "necessity": ("random_lesioned", "lesioned"),
             "sufficiency_vs_random": ("selective", "random_only"),
             "drop_selective": ("all", "selective")}
    for name, (a, b) in diffs.items():
        if a in wide and b in wide:
            d = (wide[a] - wide[b]).to_numpy(dtype=float)
            t, p, n = _ttest(d)
            out.update({name: float(np.nanmean(d)), f"{name}_t": t, f"{name}_p": p,
                        f"{name}_n": n})
    if "random_lesioned" in wide and "lesioned" in wide:
        d = (wide["random_lesioned"] - wide["lesioned"]).to_numpy(dtype=float)
        d = d[np.isfinite(d)]
        out["necessity_below_margin_p"] = (
            float(stats.ttest_1samp(d - margin, 0.0, alternative="less").pvalue)
            if len(d) > 1 and np.ptp(d) > 0 else float("nan"))
    if "selective" in wide and "all" in wide:
        out["sufficiency_share"] = float((wide["selective"] / wide["all"]).mean())
    return out


def verdict(summary: Mapping[str, float], alpha: float) -> dict[str, bool]:
    """Decisions at level ``alpha`` (two-sided tests, direction checked): ``necessary`` when
    removing the selective units hurts more than removing random sets of their size;
    ``not_needed`` when that extra cost is significantly below the margin (equivalence);
    ``better_than_random`` when the selective units alone beat random sets of their size.
    With few subjects a tiny but consistent effect can be ``necessary`` and ``not_needed`` at
    once: significant, and smaller than the margin."""
    def significant(name: str) -> bool:
        p = summary.get(f"{name}_p", float("nan"))
        return bool(np.isfinite(p) and p < alpha and summary[name] > 0)
    p_eq = summary.get("necessity_below_margin_p", float("nan"))
    return {"necessary": significant("necessity"),
            "not_needed": bool(np.isfinite(p_eq) and p_eq < alpha),
            "better_than_random": significant("sufficiency_vs_random")}
