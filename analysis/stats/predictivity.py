"""Cross-validated linear predictivity between two systems in either direction, normalised by
the reliability of the data (Muzellec & Kar 2026's reverse predictivity).

One system's channels (predictors) predict each channel of another (targets) on the same
images: k-fold over images, kernel ridge with a LOO-chosen alpha per target inside each
training fold (analysis.stats.ridge), Pearson r between the out-of-fold predictions and the
target's mean response. The explained variance is normalised by the reliability of both sides:

    EV = sign(r) r² / (ρ_pred · ρ_target)

(signed, so that a useless predictor scatters around 0 instead of being biased upward)
* ρ_target: the target's split-half reliability over repetitions, Spearman-Brown corrected to
  all repetitions (1 for a network unit: deterministic);
* ρ_pred: the reliability of the predictions under the predictor's noise — the same
  cross-validated prediction made from each single repetition of the predictors, the mean
  pairwise r between those predictions, Spearman-Brown corrected to all repetitions (1 for a
  network as predictor).

Forward predictivity (network → voxel) has ρ_pred = 1, reverse (voxels → network unit)
ρ_target = 1, subject-to-subject both. A reliability below ``min_reliability`` gives no EV.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats import ridge
from analysis.stats.reliability import spearman_brown


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


def cv_predict(x: np.ndarray, y: np.ndarray, test_sets: Sequence[np.ndarray],
               relative_alphas: Sequence[float], device: str = "cpu") -> np.ndarray:
    """Out-of-fold predictions (n, v) of targets y (n, v) from predictors x (n, p)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    k = x @ x.T
    pred = np.empty_like(y)
    for test in test_sets:
        train = np.setdiff1d(np.arange(len(x)), test)
        k_train = k[np.ix_(train, train)]
        alphas = np.asarray(relative_alphas) * ridge.kernel_scale(k_train)
        model = ridge.fit(k_train, y[train], alphas, device)
        pred[test] = ridge.predict(model, k[np.ix_(test, train)])
    return pred


def _mean_pairwise(arrays: Sequence[np.ndarray]) -> np.ndarray:
    rs = [column_r(arrays[i], arrays[j]) for i in range(len(arrays))
          for j in range(i + 1, len(arrays))]
    return np.mean(rs, axis=0)


def target_reliability(reps: np.ndarray) -> np.ndarray:
    """(v,) split-half reliability of each target's mean over its n_reps repetitions
    (mean pairwise single-repetition r, Spearman-Brown to n_reps); 1 for one repetition."""
    if reps.shape[2] == 1:
        return np.ones(reps.shape[1])
    return np.asarray(spearman_brown(_mean_pairwise([reps[:, :, k]
                                                     for k in range(reps.shape[2])]),
                                     reps.shape[2]), dtype=float)


def predictivity(predictors: np.ndarray, targets: np.ndarray, test_sets: Sequence[np.ndarray],
                 relative_alphas: Sequence[float], min_reliability: float = 0.0,
                 device: str = "cpu") -> pd.DataFrame:
    """Per target: r, ρ_pred, ρ_target and the normalised EV (module docstring).

    predictors: (n_images, p, n_reps_p); targets: (n_images, v, n_reps_t); one repetition
    means noiseless. Repetitions must be complete (no NaN)."""
    if np.isnan(predictors).any() or np.isnan(targets).any():
        raise ValueError("predictivity: repetitions must be complete (no NaN)")
    x_mean, y_mean = predictors.mean(2), targets.mean(2)
    r = column_r(cv_predict(x_mean, y_mean, test_sets, relative_alphas, device), y_mean)
    if predictors.shape[2] > 1:
        singles = [cv_predict(predictors[:, :, k], y_mean, test_sets, relative_alphas, device)
                   for k in range(predictors.shape[2])]
        rho_pred = np.asarray(spearman_brown(_mean_pairwise(singles), predictors.shape[2]),
                              dtype=float)
    else:
        rho_pred = np.ones(targets.shape[1])
    rho_target = target_reliability(targets)
    ok = (rho_pred >= max(min_reliability, 1e-9)) & (rho_target >= max(min_reliability, 1e-9))
    with np.errstate(divide="ignore", invalid="ignore"):
        ev = np.where(ok, np.sign(r) * r**2 / (rho_pred * rho_target), np.nan)
    return pd.DataFrame({"r": r, "rho_pred": rho_pred, "rho_target": rho_target, "ev": ev})
