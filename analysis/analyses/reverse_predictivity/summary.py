"""The reverse-predictivity summary (summary.json): per model, control and region, the EVs,
their asymmetry, the reference, the common / unique shares and their tests over subjects."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.analyses.reverse_predictivity.params import ReversePredictivity
from analysis.report.format import number, p_value
from analysis.stats.controls import verdict
from analysis.vocabulary import POSITIVE_CONTROL


def _ttest(x: np.ndarray) -> dict[str, object]:
    x = x[np.isfinite(x)]
    if len(x) < 2 or np.all(x == x[0]):
        return {"mean": number(float(np.mean(x))) if len(x) else None, "t": None, "p": None,
                "n": len(x)}
    t = stats.ttest_1samp(x, 0.0)
    return {"mean": number(float(np.mean(x))), "t": number(float(t.statistic)),
            "p": p_value(float(t.pvalue)), "n": len(x)}


def _equivalence(x: np.ndarray, margin: float, level: float) -> dict[str, object]:
    """The positive control's forward − reverse (x: one value per subject) judged by its
    ``level`` t-interval over subjects against ± ``margin`` (analysis.stats.controls.verdict:
    two one-sided tests at (1 − level) / 2)."""
    x = x[np.isfinite(x)]
    if len(x) >= 2 and np.std(x) > 0:
        low, high = stats.t.interval(level, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    else:
        low = high = np.nan
    return {"mean_abs": number(float(abs(np.mean(x)))) if len(x) else None,
            "ci_low": number(float(low)) if np.isfinite(low) else None,
            "ci_high": number(float(high)) if np.isfinite(high) else None,
            "level": level, "margin": margin,
            "verdict": verdict(POSITIVE_CONTROL, low, high, margin)}


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman rho over subjects of two (n,) arrays (None for fewer than 3 finite pairs or a
    constant one)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return None
    return number(float(stats.spearmanr(x[ok], y[ok]).statistic))


def summary(subjects: pd.DataFrame, pairs: pd.DataFrame, rp: ReversePredictivity,
            models: list[str], equivalence_level: float) -> dict:
    """Per model (and the controls) and region: mean over subjects of forward and reverse EV
    (each subject's ratio EV over its targets, and the median of its per-target EVs), the
    asymmetry forward − reverse of the ratio EVs (t-test over subjects; for the positive
    control also its equivalence verdict), the subject-to-subject reference in both
    directions, the shares of common and unique units among selective and other units (the
    common difference tested over subjects) and the Spearman correlation over subjects of the
    common share of selective units (all units when there are none) with the subjects'
    median voxel reliability, with that share's range over subjects (how much there is to
    correlate: the share of all units is fixed by the percentile rule). models: the trained
    networks run; equivalence_level: the positive control's interval level."""
    out: dict = {"models": models, "folds": rp.folds,
                 "units_sample": rp.units_sample, "common_rule": rp.common_rule,
                 "common_quantile": rp.common_quantile, "by_model": {}, "reference": {}}
    for region, g in pairs.groupby("region", sort=False):
        sym = g.merge(g, left_on=["predictor", "target"], right_on=["target", "predictor"],
                      suffixes=("", "_back"))
        out["reference"][region] = {
            "ev_mean": number(float(g["ev"].mean())),
            "ev_median_mean": number(float(g["ev_median"].mean())),
            "direction_difference_mean_abs": number(float(
                (sym["ev"] - sym["ev_back"]).abs().mean())),
            "n_pairs": len(g)}
    for (model, variant, region), g in subjects.groupby(["model", "variant", "region"],
                                                        sort=False):
        key = model if variant == model else f"{model}/{variant}"
        asym = (g["forward_ev"] - g["reverse_ev"]).to_numpy()
        share = g["common_share_selective" if g["n_selective"].iloc[0] else "common_share_all"]
        entry = out["by_model"].setdefault(key, {})[region] = {
            "forward_ev": number(float(g["forward_ev"].mean())),
            "reverse_ev": number(float(g["reverse_ev"].mean())),
            "forward_ev_median": number(float(g["forward_ev_median"].mean())),
            "reverse_ev_median": number(float(g["reverse_ev_median"].mean())),
            "reference_ev": number(float(g["reference_ev"].mean())),
            "asymmetry": _ttest(asym),
            "common_share_all": number(float(g["common_share_all"].mean())),
            "common_share_selective": number(float(g["common_share_selective"].mean())),
            "common_share_other": number(float(g["common_share_other"].mean())),
            "unique_share_selective": number(float(g["unique_share_selective"].mean())),
            "unique_share_other": number(float(g["unique_share_other"].mean())),
            "selective_minus_other": _ttest((g["common_share_selective"] -
                                             g["common_share_other"]).to_numpy()),
            "common_share_vs_reliability_spearman": _spearman(
                share.to_numpy(float), g["target_reliability_median"].to_numpy(float)),
            "common_share_range": [number(float(share.min())), number(float(share.max()))],
            "n_units": int(g["n_units"].iloc[0]), "n_selective": int(g["n_selective"].iloc[0])}
        if model == POSITIVE_CONTROL:
            entry["equivalence"] = _equivalence(asym, rp.equivalence_margin, equivalence_level)
    return out
