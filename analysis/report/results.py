"""The results file (results/results.json): every stage's key numbers in one place, read by
the manuscript macros, `dvc exp show` and `dvc exp diff`. Floats keep full precision; p-values
are strings in scientific notation, because DVC's table would round them to 0."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.report.format import p_value
from analysis.stats.comparison import POOLED_TRAINED


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def _comparison_row(r: Any) -> dict:
    row = {"hh": r.hh_mean, "hn": r.hn_mean, "gap": r.gap, "n_models": int(r.n_models),
           "hh_raw": r.hh_raw_mean, "hn_raw": r.hn_raw_mean,
           "n_hh_excluded": int(r.n_hh_excluded), "n_hn_excluded": int(r.n_hn_excluded),
           "p_pairs": p_value(r.p_t)}
    if r.layer_choice == "published":
        row.update({"gap_ci_low": r.ci_low, "gap_ci_high": r.ci_high,
                    "p_boot": p_value(r.p_boot), "p_boot_floor": r.p_boot_floor})
    return {k: _clean(v) for k, v in row.items()}


def comparison(stats: pd.DataFrame) -> dict[str, dict]:
    """The headline: results/comparison/stats.csv rows of the trained models pooled ->
    '<roi>_<measure>_<layer choice>' -> numbers (none when no trained model was run)."""
    s = stats[stats["networks"] == POOLED_TRAINED]
    return {f"{r.roi}_{r.measure}_{r.layer_choice}": _comparison_row(r) for r in s.itertuples()}


def comparison_networks(stats: pd.DataFrame) -> dict[str, dict]:
    """Every network group with published layers: '<roi>_<measure>_<networks>' -> numbers,
    networks = a model, pooled_trained or pooled_untrained."""
    s = stats[stats["layer_choice"] == "published"]
    return {f"{r.roi}_{r.measure}_{r.networks}": _comparison_row(r) for r in s.itertuples()}


def paper_distance_numbers(table: pd.DataFrame) -> dict[str, dict]:
    """results/comparison/paper_distance.csv -> '<roi>_multivariate_<networks>' -> HH, HN
    and gap with the paper's correlation distance (point estimates)."""
    return {f"{r.roi}_{r.measure}_{r.networks}":
            {k: _clean(v) for k, v in (("hh", r.hh_mean), ("hn", r.hn_mean), ("gap", r.gap))}
            for r in table.itertuples()}


def excluded(reliability: pd.DataFrame) -> dict[str, int]:
    """results/comparison/reliability.csv -> how many subject profiles (subject x region)
    fell below the minimum reliability, per measure, and how many there are."""
    return {"univariate": int(reliability["excluded_univariate"].sum()),
            "multivariate": int(reliability["excluded_multivariate"].sum()),
            "profiles": int(len(reliability))}


def control_numbers(table: pd.DataFrame) -> dict[str, Any]:
    """results/comparison/controls.csv -> '<roi>_<measure>_<control>' -> HH, HN, gap, its
    interval and p (controls that ran), and the regions where they could not run, with why."""
    ran = table[table["status"] == "ok"]
    out: dict[str, Any] = {
        f"{r.roi}_{r.measure}_{r.control}": {k: _clean(v) for k, v in (
            ("hh", r.hh_mean), ("hn", r.hn_mean), ("gap", r.gap), ("gap_ci_low", r.ci_low),
            ("gap_ci_high", r.ci_high), ("p_boot", p_value(r.p_boot)))}
        for r in ran.itertuples()}
    out["not_run"] = {r.roi: r.reason for r in table[table["status"] != "ok"].itertuples()}
    return out


def assemble(*, tier: str, threshold: float, n_subjects: int, ci_level: float,
             rdm_distance: str, min_reliability: float, trained: dict[str, bool],
             prepared: dict, voxel_counts: pd.DataFrame, reliability: pd.DataFrame,
             localizer: dict, metrics: dict, lesion: dict, stats: pd.DataFrame,
             paper_distance: pd.DataFrame, controls: pd.DataFrame, robustness: dict,
             rsa92: dict, encoding: dict, reverse: dict, annotations: dict,
             divergence: dict, alignment_patterns: dict, ood: dict) -> dict:
    """The results file from the stages' summaries and tables (see each stage)."""
    return {
        "tier": tier, "synthetic_brain_data": prepared["synthetic"],
        "threshold": threshold, "n_subjects": n_subjects, "ci_level": ci_level,
        "rdm_distance": rdm_distance, "min_reliability": min_reliability,
        "reliability_excluded": excluded(reliability),
        "n_shared_images": prepared["n_shared_images"],
        "n_models_trained": sum(trained.values()),
        "n_models_untrained": len(trained) - sum(trained.values()),
        "selected_voxels_mean": voxel_counts.groupby("roi")["n_selected"].mean().to_dict(),
        "units": {k: v for k, v in localizer.items() if k != "last_layer"},
        "metrics": metrics, "lesion": lesion, "comparison": comparison(stats),
        "comparison_networks": comparison_networks(stats),
        "comparison_paper_distance": paper_distance_numbers(paper_distance),
        "controls": control_numbers(controls),
        "robustness": robustness,
        "rsa92": {k: v for k, v in rsa92.items() if k != "selected_units"},
        "encoding": encoding, "reverse_predictivity": reverse,
        "annotations": annotations, "divergence": divergence,
        "alignment_patterns": alignment_patterns, "ood_decoding": ood,
    }
