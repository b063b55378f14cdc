"""Cross-validated linear predictivity between two systems in either direction, normalised by
the reliability of the data on both sides (Muzellec & Kar 2026's reverse predictivity).

One system's channels (predictors) predict each channel of another (targets) on the same
images: k-fold over images, kernel ridge with a LOO-chosen alpha per target inside each
training fold (analysis.methods.ridge), Pearson r between the out-of-fold predictions and the
target's mean response. The explained variance is normalised by three reliabilities:

    EV = sign(r) r² / (ρ_x · ρ_y · ρ_target)

(signed, so that a useless predictor scatters around 0 instead of being biased upward)
* ρ_target: the target's reliability over repetitions (mean pairwise single-repetition r,
  clipped to [0, 1], Spearman-Brown to all repetitions); 1 for a network unit;
* ρ_y: the reliability of the predictions under the target's noise, which enters through the
  fitted map — each target repetition fitted alone (alpha chosen by LOO as for the mean),
  the predictions' reliability taken as for ρ_target; 1 for a network target (the reference
  code's forward correction, on single repetitions instead of random halves);
* ρ_x: the reliability of the predictions under the predictor's noise. For a noise-free
  target (a network unit: reverse predictivity) each predictor repetition is fitted alone
  (training and test images; the reference code's reverse correction, on single repetitions
  instead of random halves), so ρ_x measures the predictor's noise in the fitted map as well
  as at test. For a noisy target (subject to subject) the map fitted on the mean predictors
  is applied to each single repetition of the test images (linear in them, so the mean of
  these predictions is the full prediction and Spearman-Brown is exact): there the refits on
  single predictor repetitions, combined with those on single target repetitions (ρ_y),
  overcorrect (simulated subjects with identical signals read 1.1-1.45 instead of 1).
  1 for a network predictor.

Forward predictivity (network → voxel) is corrected by ρ_y ρ_target, reverse (voxels →
network unit) by ρ_x, subject-to-subject by all three. The choice between the two ρ_x
estimators is calibrated, not derived: tests/test_predictivity.py measures forward, reverse
and both subject-to-subject directions in simulated worlds, where each reads within 0.1 of 1
at ncsnr 0.4-1.0. At ncsnr 0.25 and below the reverse refits overcorrect (1.1-1.3) and forward
reads low (the target's noise makes the LOO pick a larger ridge, a loss no reliability
measures). Per-target EVs divide by noisy per-target reliabilities, so a system's summary is
:func:`ratio_ev`, a ratio of sums over its targets that keeps the targets below
``min_reliability`` (only those without any measurable reliability drop out) and that a
near-zero denominator cannot dominate; the median of the per-target EVs (those whose
reliabilities all reach ``min_reliability``) is reported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.methods import ridge
from analysis.methods.reliability import spearman_brown


def folds(n_images: int, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """k disjoint test sets (sorted positions) covering the images, sizes within one."""
    order = rng.permutation(n_images)
    return [np.sort(order[i::k]) for i in range(k)]


def column_r(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r of matching columns of two (n, v) arrays; NaN for a constant column."""
    a = a - a.mean(0)
    b = b - b.mean(0)
    den = np.sqrt((a**2).sum(0) * (b**2).sum(0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (a * b).sum(0) / den, np.nan)


def _fold_fits(x: np.ndarray, y: np.ndarray, test_sets: Sequence[np.ndarray],
               relative_alphas: Sequence[float], device: str
               ) -> list[tuple[np.ndarray, ridge.KernelRidgeFit]]:
    """Per test set: (its training positions, the kernel ridge fitted on them) of targets y
    (n, v) from predictors x (n, p)."""
    k = x @ x.T
    out = []
    for test in test_sets:
        train = np.setdiff1d(np.arange(len(x)), test)
        k_train = k[np.ix_(train, train)]
        alphas = np.asarray(relative_alphas) * ridge.kernel_scale(k_train)
        out.append((train, ridge.fit(k_train, y[train], alphas, device)))
    return out


def cv_predict(x: np.ndarray, y: np.ndarray, test_sets: Sequence[np.ndarray],
               relative_alphas: Sequence[float], device: str = "cpu") -> np.ndarray:
    """Out-of-fold predictions (n, v) of targets y (n, v) from predictors x (n, p)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    pred = np.empty_like(y)
    for test, (train, model) in zip(test_sets, _fold_fits(x, y, test_sets, relative_alphas,
                                                          device), strict=True):
        pred[test] = ridge.predict(model, x[test] @ x[train].T)
    return pred


def split_reliability(versions: Sequence[np.ndarray]) -> np.ndarray:
    """(v,) reliability of the mean of ``len(versions)`` (n, v) arrays that differ only by
    independent noise: their mean pairwise column r clipped to [0, 1] (a negative r means no
    measurable reliability, not a value Spearman-Brown would push above 1), Spearman-Brown
    corrected to ``len(versions)``; 1 for a single version (noiseless)."""
    if len(versions) == 1:
        return np.ones(versions[0].shape[1])
    rs = [column_r(versions[i], versions[j]) for i in range(len(versions))
          for j in range(i + 1, len(versions))]
    return np.asarray(spearman_brown(np.clip(np.mean(rs, axis=0), 0.0, 1.0), len(versions)),
                      dtype=float)


def target_reliability(reps: np.ndarray) -> np.ndarray:
    """(v,) reliability of each target's mean over its repetitions, reps (n, v, n_reps)
    (:func:`split_reliability` of the single repetitions); 1 for one repetition."""
    return split_reliability([reps[:, :, k] for k in range(reps.shape[2])])


def _predictions(predictors: np.ndarray, targets: np.ndarray, test_sets: Sequence[np.ndarray],
                 relative_alphas: Sequence[float], device: str
                 ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Out-of-fold predictions (n, v) of the mean targets from the mean predictors, and the
    single-repetition versions of them (module docstring): one per predictor repetition
    (fitted alone for a one-repetition target, else the fold's map applied to that repetition
    of the test images) and one per target repetition (that repetition fitted alone, its alpha
    chosen by LOO as for the mean)."""
    x, y = predictors.mean(2), targets.mean(2)
    n_x, n_y = predictors.shape[2], targets.shape[2]
    k = x @ x.T
    full = np.empty_like(y)
    per_x = n_x > 1 and n_y > 1  # each predictor repetition through the mean's fits
    by_x = [np.empty_like(y) for _ in range(n_x)] if per_x else []
    for test, (train, model) in zip(test_sets, _fold_fits(x, y, test_sets, relative_alphas,
                                                          device), strict=True):
        full[test] = ridge.predict(model, k[np.ix_(test, train)])
        if per_x:
            for pred, xk in zip(by_x, np.moveaxis(predictors, 2, 0), strict=True):
                pred[test] = ridge.predict(model, xk[test] @ x[train].T)
    if n_x > 1 and n_y == 1:
        by_x = [cv_predict(predictors[:, :, j], y, test_sets, relative_alphas, device)
                for j in range(n_x)]
    by_y = [cv_predict(x, targets[:, :, j], test_sets, relative_alphas, device)
            for j in range(n_y)] if n_y > 1 else [full]
    return full, (by_x if n_x > 1 else [full]), by_y


def predictivity(predictors: np.ndarray, targets: np.ndarray, test_sets: Sequence[np.ndarray],
                 relative_alphas: Sequence[float], min_reliability: float = 0.0,
                 device: str = "cpu") -> pd.DataFrame:
    """Per target (rows): r, rho_x, rho_y, rho_pred = rho_x rho_y, rho_target and the
    normalised EV (module docstring).

    predictors: (n_images, p, n_reps_p); targets: (n_images, v, n_reps_t); one repetition
    means noiseless. Repetitions must be complete (no NaN)."""
    if np.isnan(predictors).any() or np.isnan(targets).any():
        raise ValueError("predictivity: repetitions must be complete (no NaN)")
    predictors = np.asarray(predictors, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    full, by_x, by_y = _predictions(predictors, targets, test_sets, relative_alphas, device)
    r = column_r(full, targets.mean(2))
    rho_x, rho_y = split_reliability(by_x), split_reliability(by_y)
    rho_target = target_reliability(targets)
    floor = max(min_reliability, 1e-9)
    ok = (rho_x >= floor) & (rho_y >= floor) & (rho_target >= floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        ev = np.where(ok, np.sign(r) * r**2 / (rho_x * rho_y * rho_target), np.nan)
    return pd.DataFrame({"r": r, "rho_x": rho_x, "rho_y": rho_y, "rho_pred": rho_x * rho_y,
                         "rho_target": rho_target, "ev": ev})


def ratio_ev(table: pd.DataFrame) -> float:
    """One system's EV over its targets (rows of a :func:`predictivity` table): Σ sign(r) r²
    / Σ ρ_pred ρ_target over the targets whose reliabilities are all positive (no
    ``min_reliability`` floor: a ratio of sums is not dominated by a near-zero denominator);
    NaN when there is none. Equals the mean EV when every target has the same reliabilities."""
    ok = (table["rho_pred"] > 0) & (table["rho_target"] > 0) & np.isfinite(table["r"])
    if not ok.any():
        return float("nan")
    t = table[ok]
    return float((np.sign(t["r"]) * t["r"] ** 2).sum() / (t["rho_pred"] * t["rho_target"]).sum())


def common_unique(ev: np.ndarray, quantile: float) -> tuple[np.ndarray, np.ndarray]:
    """The paper's common / unique units among targets with EV ``ev`` (u,): common above the
    (1 − quantile) percentile, unique below the ``quantile`` percentile of the finite EVs (the
    reference code's ``np.nanpercentile`` rule with quantile 0.2); a NaN EV is neither.
    Returns two (u,) bool arrays."""
    ev = np.asarray(ev, dtype=float)
    if not np.isfinite(ev).any():
        return np.zeros(len(ev), bool), np.zeros(len(ev), bool)
    high, low = np.nanpercentile(ev, [100 * (1 - quantile), 100 * quantile])
    with np.errstate(invalid="ignore"):
        return ev > high, ev < low
