"""Robustness of the HH - HN gap over t-thresholds, both unit localizers and every region.

A single sweep (params `robustness`), independent of `threshold`: for each threshold, voxels
are re-selected from the fLOC t-values and units from the stored unit t-values of each
localizer; similarities use the published layers. Writes results/robustness/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import brain_data, config
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.comparison import MEASURES, gap, similarities
from analysis.comparison_stats import disjoint_pairs, pair_tests

OUT = Path("results/robustness")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    rob, cmp = params["robustness"], params["comparison"]
    defs = params["roi_definitions"]
    n_img = len(brain_data.shared_ids(params["subjects"][0]))
    rows = []
    for thr in rob["thresholds"]:
        config.check_threshold(thr, "robustness.thresholds")
        for roi, category in cmp["regions"].items():
            brains = {s: brain_data.voxel_responses(s, roi, defs[roi]["contrast"], thr)
                      for s in params["subjects"]}
            for loc in rob["localizers"]:
                nets = {}
                for m in params["models"]:
                    layer = params["zoo"][m]["layers"][category]
                    nets[m] = brain_data.unit_activations(m, layer, loc, category, thr)
                sim = similarities(brains, nets, np.arange(n_img), cmp["rdm_similarity"])
                g = gap(sim)
                tests = pair_tests(disjoint_pairs(sim)).set_index("measure") if len(sim) else None
                for measure in MEASURES:
                    k = sim[sim["measure"] == measure].groupby("kind")["r_corrected"].mean() \
                        if len(sim) else pd.Series(dtype=float)
                    rows.append({
                        "threshold": thr, "roi": roi, "category": category, "localizer": loc,
                        "measure": measure,
                        "mean_voxels": float(np.mean([b.shape[0] for b in brains.values()])),
                        "mean_units": float(np.mean([a.shape[1] for a in nets.values()])),
                        "hh": k.get("hh", np.nan), "hn": k.get("hn", np.nan), "gap": g[measure],
                        "p_pairs": tests.loc[measure, "p_t"] if tests is not None and
                        measure in tests.index else np.nan})
    table = pd.DataFrame(rows)
    with atomic_path(OUT) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "gaps.csv")
        ok = table.dropna(subset=["gap"])
        write_json({"settings": int(len(table)), "settings_with_both": int(len(ok)),
                    "gap_positive_fraction": float((ok["gap"] > 0).mean()) if len(ok) else None,
                    "gap_min": float(ok["gap"].min()) if len(ok) else None,
                    "gap_max": float(ok["gap"].max()) if len(ok) else None},
                   tmp / "summary.json")
