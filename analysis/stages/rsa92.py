"""Supplementary: the multivariate comparison on the real 92-image human-IT RDMs
(results/rsa92): human-human (noise-corrected) against human-network, for every network,
layer, all units and the category-selective units (fLoc localizer, `threshold`). Without the
set in `supplementary_sets` the stage records that it did not run, and why."""

from __future__ import annotations

import argparse
from dataclasses import replace

import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, unit_store
from analysis.report.format import number
from analysis.responses import Selection
from analysis.stats.comparison import MIN_FEATURES
from analysis.stats.profiles import rdm
from analysis.stats.rsa92 import compare, human_reliability, load_human_rdms
from analysis.stats.selection import above

SET = "kriegeskorte92"


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    if SET not in params.supplementary_sets:
        with atomic_path(paths.RSA92) as tmp:
            tmp.mkdir()
            write_csv(pd.DataFrame(columns=["kind", "measure", "r", "r_corrected"]),
                      tmp / "similarities.csv")
            write_json({"status": "not run", "reason": f"{SET} is not in supplementary_sets",
                        "human_reliability": {}, "hh_mean_corrected": None,
                        "hh_range": [None, None], "hn_mean_corrected": {},
                        "best_network": None, "best_network_hn": None, "selected_units": []},
                       tmp / "summary.json")
        return
    humans = load_human_rdms(paths.stimulus_set(SET))
    nets, selected = [], []
    for m in params.models:
        entry = params.zoo[m]
        thr = params.unit_threshold(entry.trained)
        for layer in activation_store.info(m)["layers"]:
            everything = activation_store.layer_responses(m, SET, layer, entry.preprocessing)
            nets.append((everything.system, rdm(everything.mean())))
            selected.append({"model": m, "trained": entry.trained, "layer": layer,
                             "units": "all", "n": everything.n_channels})
            for cat in params.categories:
                mask = above(unit_store.t_values(m, layer, "floc", cat), thr)
                if mask.sum() >= MIN_FEATURES:
                    system = replace(everything.system, selection=Selection("floc", cat, thr))
                    nets.append((system, rdm(everything.take(mask).mean())))
                selected.append({"model": m, "trained": entry.trained, "layer": layer,
                                 "units": cat, "n": int(mask.sum())})
    table = compare(humans, nets, params.comparison.rdm_similarity)
    hh = table[table["kind"] == "hh"]["r_corrected"]
    hn = table[table["kind"] == "hn"]
    net_means = hn.groupby(["b_model", "b_layer", "b_units"], sort=True)["r_corrected"].mean()
    with atomic_path(paths.RSA92) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "similarities.csv")
        write_json({
            "status": "ok", "reason": "",
            "human_reliability": {s: number(human_reliability(v)) for s, v in humans.items()},
            "hh_mean_corrected": number(hh.mean()),
            "hh_range": [number(hh.min()), number(hh.max())],
            "hn_mean_corrected": {"/".join(k): number(v) for k, v in net_means.items()},
            "best_network": "/".join(net_means.idxmax()) if len(net_means) else None,
            "best_network_hn": number(net_means.max()) if len(net_means) else None,
            "selected_units": selected,
        }, tmp / "summary.json")
