"""The results file (results/results.json): every stage's key numbers in one place, read by
the manuscript macros and `dvc exp diff`'s file-level view. Floats keep full precision; p-values
are strings in scientific notation for the manuscript. DVC's metrics (numbers only, p-values
included) are the `reports` stage's metrics/headline.json (analysis/report/headline.py)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.report.format import p_value
from analysis.vocabulary import POOLED_TRAINED


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def _comparison_row(r: Any) -> dict:
    """Published layers: the bias-corrected HH, HN and gap (hh, hn, gap) with the estimator's
    values (*_uncorrected), the gap's bias, interval and p. Cross-validated layers (no
    bootstrap): the estimator's values, marked as not bias-corrected."""
    row = {"n_models": int(r.n_models), "hh_raw": r.hh_raw_mean, "hn_raw": r.hn_raw_mean,
           "hh_uncorrected": r.hh_mean, "hn_uncorrected": r.hn_mean,
           "gap_uncorrected": r.gap}
    if r.layer_choice == "published":
        row.update({"hh": r.hh_estimate_corrected, "hn": r.hn_estimate_corrected,
                    "gap": r.gap_estimate_corrected, "bias": r.gap_bias,
                    "bias_se": r.gap_bias_se, "gap_se": r.gap_se, "gap_se_naive": r.gap_se_naive,
                    "gap_ci_low": r.gap_ci_low, "gap_ci_high": r.gap_ci_high,
                    "p": p_value(r.gap_p), "n_boot": _int(r.n_boot)})
    else:
        row.update({"hh": r.hh_mean, "hn": r.hn_mean, "gap": r.gap, "bias_corrected": False})
    return {k: _clean(v) for k, v in row.items()}


def exclusions(stats: pd.DataFrame) -> dict[str, list[str]]:
    """Why a compared value is missing (published layers): reason -> the regions, or
    'network in region' entries, left without a value (results/comparison/stats.csv notes)."""
    s = stats[(stats["layer_choice"] == "published") & stats["note"].fillna("").ne("")]
    out: dict[str, list[str]] = {}
    for r in s.drop_duplicates(["roi", "networks", "note"]).itertuples():
        region_wide = r.note.startswith("fewer than 2 subjects")
        what = r.roi if region_wide else f"{r.networks} in {r.roi}"
        if what not in out.setdefault(r.note, []):
            out[r.note].append(what)
    return out


def _int(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)


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
    and gap with the paper's correlation distance (point estimates), the subjects that
    distance's reliability leaves out, and the positive control's gap with it (the distance's
    bias measured on a system known to match) and its equivalence verdict."""
    return {f"{r.roi}_{r.measure}_{r.networks}":
            {k: _clean(v) for k, v in (
                ("hh", r.hh_mean), ("hn", r.hn_mean), ("gap", r.gap),
                ("subjects_without_reliability", _subjects(r.subjects_without_reliability)),
                ("positive_control_gap", r.positive_control_gap),
                ("positive_control_ci_low", r.positive_control_ci_low),
                ("positive_control_ci_high", r.positive_control_ci_high),
                ("positive_control_verdict", r.positive_control_verdict))}
            for r in table.itertuples()}


def _subjects(v: Any) -> list[int]:
    return [int(x) for x in str(v).split()] if isinstance(v, str) else []


def reliability_range(reliability: pd.DataFrame) -> dict[str, list[float | None]]:
    """results/comparison/reliability.csv -> the lowest and highest reliability of the
    subjects' profiles per measure, and how many estimates are below 0.1 or undefined (every
    profile is used; such profiles weigh little in the ratios of means)."""
    out: dict[str, Any] = {}
    for m, col in (("univariate", "rel_univariate_split_half"),
                   ("multivariate", "rel_multivariate")):
        v = reliability[col]
        out[m] = {"min": _clean(float(v.min())), "max": _clean(float(v.max())),
                  "below_0_1": int((v < 0.1).sum()), "undefined": int(v.isna().sum())}
    out["profiles"] = int(len(reliability))
    return out


def control_numbers(table: pd.DataFrame) -> dict[str, Any]:
    """results/comparison/controls.csv -> '<roi>_<measure>_<control>' -> HH, the
    bias-corrected HN and gap with their intervals, the equivalence intervals, margin and
    verdict (controls that ran), and the regions where they could not run, with why."""
    ran = table[table["status"] == "ok"]
    out: dict[str, Any] = {
        f"{r.roi}_{r.measure}_{r.control}": {k: _clean(v) for k, v in (
            ("hh", r.hh_mean), ("hn", r.hn_estimate_corrected), ("gap", r.gap_estimate_corrected),
            ("bias", r.gap_bias), ("gap_ci_low", r.gap_ci_low), ("gap_ci_high", r.gap_ci_high),
            ("p", p_value(r.gap_p)), ("gap_eq_low", r.gap_eq_low), ("gap_eq_high", r.gap_eq_high),
            ("hn_eq_low", r.hn_eq_low), ("hn_eq_high", r.hn_eq_high), ("margin", r.margin),
            ("verdict", r.verdict))}
        for r in ran.itertuples()}
    out["not_run"] = {r.roi: r.reason for r in table[table["status"] != "ok"].itertuples()}
    return out


def assemble(*, tier: str, threshold: float, n_subjects: int, ci_level: float, n_boot: int,
             rdm_distance: str, equivalence: dict[str, float], trained: dict[str, bool],
             prepared: dict, voxel_counts: pd.DataFrame, reliability: pd.DataFrame,
             localizer: dict, metrics: dict, lesion: dict, stats: pd.DataFrame,
             paper_distance: pd.DataFrame, controls: pd.DataFrame, robustness: dict,
             rsa92: dict, annotations: dict, validation: dict, planted_truth: dict) -> dict:
    """The results file from the stages' summaries and tables (see each stage)."""
    return {
        "tier": tier, "synthetic_brain_data": prepared["synthetic"],
        "threshold": threshold, "n_subjects": n_subjects, "ci_level": ci_level, "n_boot": n_boot,
        "rdm_distance": rdm_distance, "equivalence": equivalence,
        "reliability": reliability_range(reliability),
        "n_shared_images": prepared["n_shared_images"],
        "n_models_trained": sum(trained.values()),
        "n_models_untrained": len(trained) - sum(trained.values()),
        "selected_voxels_mean": voxel_counts.groupby("roi")["n_selected"].mean().to_dict(),
        "units": {k: v for k, v in localizer.items() if k != "last_layer"},
        "metrics": metrics, "lesion": lesion, "comparison": comparison(stats),
        "comparison_networks": comparison_networks(stats),
        "comparison_excluded": exclusions(stats),
        "comparison_paper_distance": paper_distance_numbers(paper_distance),
        "controls": control_numbers(controls),
        "robustness": robustness,
        "rsa92": {k: v for k, v in rsa92.items() if k != "selected_units"},
        "annotations": annotations,
        "validation": validation,
        "planted_truth": planted_truth,
    }
