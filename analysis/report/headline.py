"""DVC's own reports: the headline numbers (``metrics/headline.json``) for ``dvc metrics
show/diff`` and ``dvc exp show``, and the tables behind ``dvc plots show``.

results/results.json holds every number (about 3,500) with p-values as strings for the
manuscript; DVC's tables need a few tens of numbers, all numeric. Pure functions over the
results dictionary and the robustness sweep table.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.vocabulary import POOLED_TRAINED, POOLED_UNTRAINED

MEASURES = ("univariate", "multivariate")
#: Comparison fields shown per region and measure (trained networks pooled).
COMPARISON_FIELDS = ("hh", "hn", "gap", "gap_ci_low", "gap_ci_high", "p")
#: Encoding fields (the published layer, the noise-normalised voxel r).
ENCODING_FIELDS = ("mean_all", "mean_selective", "necessity", "necessity_p")
ENCODING_MEASURE = "voxel_r_normalised"


def _number(value: Any) -> float | int | None:
    """A JSON number: p-value strings ('1.234e-05') parsed, NaN and absent as None."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    x = float(value)
    if not math.isfinite(x):
        return None
    return int(x) if isinstance(value, int) else x


def headline(results: dict[str, Any], main_regions: dict[str, str]) -> dict[str, Any]:
    """The headline numbers of a results dictionary (results/results.json).

    main_regions: category -> its main region (e.g. faces -> FFA), the regions reported.
    Returns a nested dictionary of numbers only (None where the run has no value; the
    parameters, threshold among them, are `dvc exp show`'s own columns): the run's size,
    the selected-unit shares (%), per main region and measure the comparison of the pooled
    trained networks (HH, HN, gap with its interval and p) and every network's own gap, the
    positive and negative controls' gaps, the robustness sweep's summary, and the encoding
    models' accuracies (pooled trained networks, noise-normalised voxel r).
    """
    units = results["units"]
    out: dict[str, Any] = {
        "n_subjects": _number(results["n_subjects"]),
        "n_shared_images": _number(results["n_shared_images"]),
        "units_pct_selected": {
            "trained": {c: _number(units["pct_selected_last_layer_trained"].get(c))
                        for c in main_regions},
            "untrained": {c: _number(units["pct_selected_last_layer_untrained"].get(c))
                          for c in main_regions}},
    }
    comparison, networks = results["comparison"], results["comparison_networks"]
    controls = results["controls"]
    models = sorted({k.split("_", 2)[2] for k in networks} - {POOLED_TRAINED, POOLED_UNTRAINED})
    regions: dict[str, Any] = {}
    for region in main_regions.values():
        regions[region] = {}
        for measure in MEASURES:
            row = comparison.get(f"{region}_{measure}_published", {})
            entry: dict[str, Any] = {f: _number(row.get(f)) for f in COMPARISON_FIELDS}
            entry["gap_by_network"] = {
                m: _number(networks.get(f"{region}_{measure}_{m}", {}).get("gap"))
                for m in models}
            entry["positive_control_gap"] = _number(
                controls.get(f"{region}_{measure}_positive_control", {}).get("gap"))
            entry["negative_control_gap"] = _number(
                controls.get(f"{region}_{measure}_negative_control", {}).get("gap"))
            regions[region][measure] = entry
    out["comparison"] = regions
    robust = results["robustness"]
    out["robustness"] = {k: _number(robust.get(k)) for k in
                         ("gap_above_zero_fraction", "gap_min", "gap_max", "settings_with_both")}
    encoding = results["encoding"].get("pooled_trained", {})
    out["encoding"] = {
        region: {f: _number(encoding.get(region, {}).get(ENCODING_MEASURE, {})
                            .get("layer", {}).get(f)) for f in ENCODING_FIELDS}
        for region in main_regions.values()}
    return out


def _sweep_rows(gaps: pd.DataFrame, main_regions: dict[str, str]) -> pd.DataFrame:
    """The sweep's rows for the main regions, the fLoc localizer and the pooled sets."""
    rows = gaps[gaps["roi"].isin(main_regions.values()) & (gaps["localizer"] == "floc")
                & gaps["networks"].isin([POOLED_TRAINED, POOLED_UNTRAINED])]
    return rows.sort_values(["threshold", "roi", "measure", "networks"], kind="stable")


SETS = {POOLED_TRAINED: "trained", POOLED_UNTRAINED: "untrained"}


def threshold_sweep(gaps: pd.DataFrame, main_regions: dict[str, str]) -> pd.DataFrame:
    """The HH - HN gap (bias-corrected) per threshold, long form for ``dvc plots``: columns
    threshold, panel (the measure), series (region and network set, e.g. ``FFA trained``) and
    gap, with its interval (gap_ci_low, gap_ci_high). Settings the sweep excluded are absent.

    gaps: results/robustness/gaps.csv.
    """
    rows = _sweep_rows(gaps, main_regions).dropna(subset=["gap_corrected"])
    return pd.DataFrame({"threshold": rows["threshold"], "panel": rows["measure"],
                         "series": rows["roi"] + " " + rows["networks"].map(SETS),
                         "gap": rows["gap_corrected"], "gap_ci_low": rows["gap_ci_low"],
                         "gap_ci_high": rows["gap_ci_high"]})


def unit_counts(gaps: pd.DataFrame, main_regions: dict[str, str]) -> pd.DataFrame:
    """Selected units (mean over the set's networks) and voxels (mean over subjects) per
    threshold, long form for ``dvc plots``: columns threshold, panel (units | voxels), series
    (``faces trained``, ``faces untrained``; ``faces (FFA)``) and count."""
    rows = _sweep_rows(gaps, main_regions)
    rows = rows[rows["measure"] == MEASURES[0]]
    category = rows["roi"].map({r: c for c, r in main_regions.items()})
    units = pd.DataFrame({"threshold": rows["threshold"], "panel": "units",
                          "series": category + " " + rows["networks"].map(SETS),
                          "count": rows["mean_units"]})
    first = ~rows.duplicated(["threshold", "roi"])
    voxels = pd.DataFrame({"threshold": rows["threshold"], "panel": "voxels",
                           "series": category + " (" + rows["roi"] + ")",
                           "count": rows["mean_voxels"]})[first]
    return pd.concat([units, voxels]).sort_values(["panel", "series", "threshold"],
                                                  kind="stable")
