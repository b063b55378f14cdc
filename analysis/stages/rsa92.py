"""Supplementary: the multivariate comparison on the real 92-image human-IT RDMs
(results/rsa92): human-human (noise-corrected) against human-network, for every network,
layer, all units and the category-selective units (fLoc localizer, `threshold`)."""

from __future__ import annotations

import argparse
from pathlib import Path


from analysis import activation_store as store
from analysis import brain_data, config
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.profiles import rdm
from analysis.rsa92 import compare, human_reliability, load_human_rdms
from analysis.stages.stimuli import OUT as STIMULI

OUT = Path("results/rsa92")
SET = "kriegeskorte92"
CATEGORIES = ["faces", "bodies", "places"]


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    humans = load_human_rdms(STIMULI / SET)
    nets, meta = {}, []
    for m in params["models"]:
        info = store.info(m)
        for layer in info["layers"]:
            acts = store.layer(m, SET, layer)
            nets[f"{m}|{layer}|all"] = rdm(acts.T)
            meta.append((m, info["trained"], layer, "all", acts.shape[1]))
            for cat in CATEGORIES:
                mask = brain_data.unit_mask(m, layer, "floc", cat)
                if mask.sum() >= 3:
                    nets[f"{m}|{layer}|{cat}"] = rdm(acts[:, mask].T)
                meta.append((m, info["trained"], layer, cat, int(mask.sum())))
    table = compare(humans, nets, params["comparison"]["rdm_similarity"])
    parts = table["b"].str.split("|", expand=True)
    hn = table["kind"] == "hn"
    table.loc[hn, "model"], table.loc[hn, "layer"], table.loc[hn, "units"] = (
        parts[0][hn], parts[1][hn], parts[2][hn])
    hh = table[table["kind"] == "hh"]["r_corrected"]
    net_means = (table[hn].groupby(["model", "layer", "units"])["r_corrected"].mean())
    with atomic_path(OUT) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "similarities.csv")
        write_json({
            "human_reliability": {s: round(human_reliability(v), 6) for s, v in humans.items()},
            "hh_mean_corrected": round(float(hh.mean()), 6),
            "hh_range": [round(float(hh.min()), 6), round(float(hh.max()), 6)],
            "hn_mean_corrected": {"/".join(k): round(float(v), 6)
                                  for k, v in net_means.items()},
            "best_network": "/".join(net_means.idxmax()) if len(net_means) else None,
            "best_network_hn": round(float(net_means.max()), 6) if len(net_means) else None,
            "selected_units": [{"model": a, "trained": b, "layer": c, "units": d, "n": e}
                               for a, b, c, d, e in meta],
        }, tmp / "summary.json")
