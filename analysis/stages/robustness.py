"""Robustness of the HH - HN gap over t-thresholds, both unit localizers and every region.

A single sweep (params `robustness`), independent of `threshold`, so a threshold variant does not
rerun it: for each region and unit localizer, every subject's region voxels and every network's
units of the published layer are loaded once with their localizer t, and re-selected at each
threshold by the same rule as the main analysis. Settings without enough voxels, units or pairs
are reported as excluded with the reason. Each model, the trained models pooled and the
untrained models pooled are reported apart; the summary's headline is the trained pool. Every
setting's gap has the comparison's inference (`robustness.n_boot` replicates; random streams
named by region, localizer and threshold).
Also the human-human similarity per threshold with the paper's correlation distance
(hh_paper_distance.csv), which the reproduction report compares with the published values
whatever comparison.rdm_distance is. Writes results/robustness/.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, brain_store, unit_store
from analysis.report.format import number
from analysis.responses import Responses, Selection, check_aligned
from analysis.stats.comparison import comparison_method
from analysis.stats.robustness import hh_by_threshold, sweep
from analysis.vocabulary import POOLED_TRAINED


def region_voxels(params: config.Params, region: str) -> list[tuple[Responses, np.ndarray]]:
    """Each subject's responses of all voxels of a region, with their fLOC t."""
    contrast = params.roi_definitions[region].contrast
    assert contrast is not None  # a compared region (params.compared_regions) has one
    out = []
    for s in params.subjects:
        voxels = brain_store.region_voxels(s, region)
        r = brain_store.responses(s, region, voxels, Selection("fLOC", contrast))
        out.append((r, brain_store.voxel_t(s, contrast, voxels)))
    return out


def layer_units(params: config.Params, category: str, localizer: str
                ) -> list[tuple[Responses, np.ndarray]]:
    """Each network's units of its published layer for a category, with their t."""
    out = []
    for m in params.models:
        layer, pre = params.layer(m, category), params.zoo[m].preprocessing
        assert pre is not None  # config: every model in `models` has one
        r = activation_store.layer_responses(m, paths.NSD_SHARED_SET, layer, pre,
                                             Selection(localizer, category))
        out.append((r, unit_store.t_values(m, layer, localizer, category)))
    return out


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    with threadpool_limits(limits=1):  # many small products: one BLAS thread is fastest
        rob, regions = params.robustness, params.compared_regions()
        method = comparison_method(params.comparison)
        tables, paper = [], []
        for region, category in regions.items():
            brains = region_voxels(params, region)
            paper.append(hh_by_threshold(brains, rob.thresholds, brains[0][0].n_stimuli,
                                         replace(method, distance="correlation"))
                         .assign(roi=region))
            for loc in rob.localizers:
                nets = layer_units(params, category, loc)
                check_aligned([r for r, _ in brains + nets])
                rngs = {t: seeds.stream(params.comparison.seed, "robustness", region, loc, str(t))
                        for t in rob.thresholds}
                t = sweep(brains, nets, rob.thresholds, brains[0][0].n_stimuli, rob.n_boot,
                          params.comparison.ci_level, rngs, method)
                tables.append(t.assign(roi=region, category=category, localizer=loc))
        table = pd.concat(tables, ignore_index=True)
        order: dict[str, list[str]] = {"roi": list(regions), "localizer": list(rob.localizers)}
        table = table.sort_values(
            ["threshold", "roi", "localizer"], kind="stable",
            key=lambda c: c.map({v: i for i, v in enumerate(order[c.name])}) if c.name in order
            else c)
        columns = ["threshold", "roi", "category", "localizer", "networks"]
        table = table[columns + [c for c in table.columns if c not in columns]]
        groups = {name: summary(g) for name, g in table.groupby("networks", sort=False)}
        with atomic_path(paths.ROBUSTNESS) as tmp:
            tmp.mkdir()
            write_csv(table, tmp / "gaps.csv")
            write_csv(pd.concat(paper, ignore_index=True), tmp / "hh_paper_distance.csv")
            write_json({**groups.get(POOLED_TRAINED, summary(table.iloc[:0])),
                        "networks": POOLED_TRAINED, "by_networks": groups}, tmp / "summary.json")


def summary(table: pd.DataFrame) -> dict:
    """Counts of settings (threshold x region x localizer x measure), the range and sign of
    the bias-corrected gap over those with a gap (rounded like every result file's numbers:
    its last bits follow BLAS's summation order), and the share whose interval lies above 0."""
    ok = table[table["status"] == "ok"]
    g = ok["gap_corrected"]
    return {"settings": int(len(table)), "settings_with_both": int(len(ok)),
            "settings_excluded": int(len(table) - len(ok)),
            "gap_positive_fraction": float((g > 0).mean()) if len(ok) else None,
            "gap_above_zero_fraction": float((ok["gap_ci_low"] > 0).mean()) if len(ok)
            else None,
            "gap_min": number(float(g.min())) if len(ok) else None,
            "gap_max": number(float(g.max())) if len(ok) else None}
