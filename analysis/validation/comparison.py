"""The comparison's estimators and inference run on simulated worlds with a known answer
(analysis.validation.worlds), for the manuscript's Validation section: every statement there
about bias and calibration is one of these measured numbers.

* null world (true gap 0): the estimator's mean (its bias), the bias-corrected mean, the SD of
  the corrected gap over realisations against the mean bootstrap SE (corrected and plain
  two-factor), and how often the interval excludes 0; the same worlds with the paper's
  estimator (the mean of per-pair corrected correlations, profiles below a reliability of 0.1
  dropped) and with the paper's correlation distance (point estimates);
* idiosyncratic world (a planted gap): coverage of the population gap and power;
* controls world (precise null): the positive control's verdict with each RDM distance.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from analysis.responses import Responses
from analysis.seeds import stream
from analysis.stats.comparison import MEASURES, Method, gap, prepare_all, similarities
from analysis.stats.controls import control_comparison, negative
from analysis.stats.gap_inference import dual_bootstrap, summarise
from analysis.validation.worlds import (
    POPULATION_IMAGES,
    POPULATION_SUBJECTS,
    Design,
    idiosyncratic_world,
    null_world,
    population_gap,
)

#: The paper's per-pair estimator: profiles below this reliability were dropped.
PAPER_FLOOR = 0.1
#: A precise null world for the controls (150 images, 60 voxels, ncsnr 0.35-0.6, strong
#: variation of image strength): precise enough for an equivalence margin of 0.05.
CONTROL_DESIGN = Design(n_images=150, n_voxels=60, ncsnr=(0.35, 0.6), strength_sd=0.7)


def _inferred(brains: list[Responses], net: Responses, n_boot: int,
              rng: np.random.Generator, level: float) -> pd.DataFrame:
    pb, pn = prepare_all(brains), prepare_all([net])
    rep = dual_bootstrap(pb, pn, ["net"], {"net": ("net",)}, n_boot, rng)
    s = summarise(rep, level)
    return s[s["statistic"] == "gap"].set_index("measure")


def per_pair_gap(sim: pd.DataFrame, floor: float = PAPER_FLOOR) -> dict[str, float]:
    """The paper's estimator: the mean of the per-pair corrected correlations, HH minus HN,
    with every subject whose reliability is below ``floor`` (or undefined) left out."""
    out = {}
    for m in MEASURES:
        p = sim[sim["measure"] == m]
        hn = p[p["kind"] == "hn"]
        rel = hn.groupby("a_subject")["norm"].first() ** 2  # HN norm = sqrt(rel_subject)
        kept = set(rel.index[rel >= floor])
        hh = p[(p["kind"] == "hh") & p["a_subject"].isin(kept) & p["b_subject"].isin(kept)]
        out[m] = float(hh["r_corrected"].mean()
                       - hn[hn["a_subject"].isin(kept)]["r_corrected"].mean())
    return out


def null_worlds(n_worlds: int, n_boot: int, level: float, seed: int,
                design: Design = Design()) -> pd.DataFrame:
    """One row per realisation and measure: the estimator, its bias-corrected value, SE,
    plain two-factor SE, interval, whether it excludes 0; on the same data (point estimates)
    the paper's per-pair estimator with the default distance, the ratio-of-means gap with the
    paper's correlation distance, and the paper's method (per-pair and correlation
    distance)."""
    rows = []
    for w in range(n_worlds):
        brains, net, _ = null_world(stream(seed, "null-world", str(w)), design)
        s = _inferred(brains, net, n_boot, stream(seed, "null-bootstrap", str(w)), level)
        idx = np.arange(design.n_images)
        paper = per_pair_gap(similarities(brains, [net], idx))
        corr_sim = similarities(brains, [net], idx, Method("correlation"))
        corr, paper_method = gap(corr_sim), per_pair_gap(corr_sim)
        for m in MEASURES:
            r = s.loc[m]
            rows.append({"world": w, "measure": m, "estimate": r["estimate"],
                         "bias": r["bias"], "estimate_corrected": r["estimate_corrected"],
                         "se": r["se"], "se_naive": r["se_naive"], "ci_low": r["ci_low"],
                         "ci_high": r["ci_high"],
                         "excludes_zero": bool(r["ci_low"] > 0 or r["ci_high"] < 0),
                         "per_pair_gap": paper[m], "correlation_distance_gap": corr[m],
                         "paper_method_gap": paper_method[m]})
    return pd.DataFrame(rows)


def planted_worlds(n_worlds: int, n_boot: int, level: float, seed: int) -> pd.DataFrame:
    """The idiosyncratic world: one row per realisation and measure with the population gap,
    the corrected gap, its interval, whether it covers the population gap, and p."""
    truth = population_gap()
    rows = []
    for w in range(n_worlds):
        brains, net = idiosyncratic_world(stream(seed, "planted-world", str(w)))
        s = _inferred(brains, net, n_boot, stream(seed, "planted-bootstrap", str(w)), level)
        for m in MEASURES:
            r, g = s.loc[m], truth[m][2]
            rows.append({"world": w, "measure": m, "population_gap": g,
                         "estimate": r["estimate"], "estimate_corrected": r["estimate_corrected"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p": r["p"],
                         "covers": bool(r["ci_low"] <= g <= r["ci_high"])})
    return pd.DataFrame(rows)


def control_worlds(n_worlds: int, n_boot: int, level: float, margin: float,
                   equivalence_level: float, seed: int) -> pd.DataFrame:
    """The positive and negative controls in the precise null world, with the default and the
    correlation RDM distance: one row per realisation, distance, control and measure with the
    corrected gap, its equivalence interval and the verdict."""
    rows = []
    for w in range(n_worlds):
        brains, _, control = null_world(stream(seed, "control-world", str(w)), CONTROL_DESIGN)
        for distance in ("crossval_euclidean", "correlation"):
            shuffled = negative(control, stream(seed, "control-shuffle", str(w)))
            t = control_comparison(brains, control, shuffled, n_boot, level, Method(distance),
                                   stream(seed, "control-bootstrap", str(w), distance), margin,
                                   equivalence_level)
            for r in t.itertuples():
                rows.append({"world": w, "rdm_distance": distance, "control": r.control,
                             "measure": r.measure, "gap": r.gap_estimate_corrected,
                             "eq_low": r.gap_eq_low, "eq_high": r.gap_eq_high,
                             "verdict": r.verdict})
    return pd.DataFrame(rows)


def summary(null: pd.DataFrame, planted: pd.DataFrame, controls: pd.DataFrame
            ) -> dict[str, dict]:
    """Per world and measure the numbers the manuscript reports (see the module docstring),
    and the worlds' designs (``designs``: the null world's, the controls' and the planted
    world's population)."""
    out: dict[str, dict] = {"null": {}, "planted": {}, "controls": {}, "designs": {
        "null": asdict(Design()), "controls": asdict(CONTROL_DESIGN),
        "population": {"subjects": POPULATION_SUBJECTS, "images": POPULATION_IMAGES}}}
    for m, g in null.groupby("measure", sort=False):
        n = len(g)
        out["null"][m] = {
            "worlds": n, "estimate_mean": _mean(g["estimate"]),
            "estimate_se": _sem(g["estimate"]), "corrected_mean": _mean(g["estimate_corrected"]),
            "corrected_se": _sem(g["estimate_corrected"]), "bias_mean": _mean(g["bias"]),
            "sd_corrected": float(g["estimate_corrected"].std()), "se_mean": _mean(g["se"]),
            "se_naive_mean": _mean(g["se_naive"]),
            "excludes_zero": float(g["excludes_zero"].mean()),
            "per_pair_mean": _mean(g["per_pair_gap"]), "per_pair_se": _sem(g["per_pair_gap"]),
            "correlation_distance_mean": _mean(g["correlation_distance_gap"]),
            "correlation_distance_se": _sem(g["correlation_distance_gap"]),
            "paper_method_mean": _mean(g["paper_method_gap"]),
            "paper_method_se": _sem(g["paper_method_gap"]),
            "paper_method_worlds": int(g["paper_method_gap"].notna().sum())}
    for m, g in planted.groupby("measure", sort=False):
        out["planted"][m] = {
            "worlds": len(g), "population_gap": float(g["population_gap"].iloc[0]),
            "estimate_mean": _mean(g["estimate"]), "corrected_mean": _mean(g["estimate_corrected"]),
            "coverage": float(g["covers"].mean()), "power": float((g["p"] < 0.05).mean())}
    for (d, c, m), g in controls.groupby(["rdm_distance", "control", "measure"], sort=False):
        out["controls"][f"{d}/{c}/{m}"] = {
            "worlds": len(g), "gap_mean": _mean(g["gap"]),
            **{v: int((g["verdict"] == v).sum()) for v in ("pass", "fail", "inconclusive")}}
    return out


def _mean(x: pd.Series) -> float | None:
    """Mean over the realisations with a value (None without any)."""
    x = x[np.isfinite(x)]
    return float(np.mean(x)) if len(x) else None


def _sem(x: pd.Series) -> float | None:
    x = x[np.isfinite(x)]
    return float(np.std(x, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else None

