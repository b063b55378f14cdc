"""Figure 3c-d data: similarity among all subjects' regions and all networks per category."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from analysis import brain_data, config
from analysis.atomic import atomic_path, write_csv
from analysis.comparison import MEASURES, brain_profile, network_profile
from analysis.stages.compare import load_brains
from analysis.systems_map import mds, similarity_matrix

OUT = Path("results/systems_map")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    cmp = params["comparison"]
    n_img = len(brain_data.shared_ids(params["subjects"][0]))
    idx = np.arange(n_img)
    with atomic_path(OUT) as tmp:
        tmp.mkdir()
        for category in dict.fromkeys(cmp["regions"].values()):
            profiles = {}
            for roi in [r for r, c in cmp["regions"].items() if c == category]:
                for s, p in load_brains(params, roi).items():
                    prof = brain_profile(p, idx)
                    if prof is not None:
                        profiles[f"S{s} {roi}"] = prof
            for m in params["models"]:
                layer = params["zoo"][m]["layers"][category]
                mask = brain_data.unit_mask(m, layer, "floc", category)
                prof = network_profile(brain_data.activations_of(m, layer)[:, mask], idx)
                if prof is not None:
                    profiles[m] = prof
            for measure in MEASURES:
                sim = similarity_matrix(profiles, measure, cmp["rdm_similarity"])
                write_csv(sim.reset_index(names="system"), tmp / f"{category}_{measure}.csv")
                emb = mds(sim, cmp["seed"])
                emb["kind"] = np.where(emb["system"].str.match(r"S\d+ "), "human", "network")
                write_csv(emb, tmp / f"{category}_{measure}_mds.csv")
