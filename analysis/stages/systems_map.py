"""Figure 3c-d data: similarity among all subjects' regions and all networks per category."""

from __future__ import annotations

import argparse

import numpy as np

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv
from analysis.io import selected
from analysis.responses import check_aligned
from analysis.stats.comparison import MEASURES, prepare_all, profiles
from analysis.stats.systems_map import mds, similarity_matrix


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    regions = params.compared_regions()
    with atomic_path(paths.SYSTEMS_MAP) as tmp:
        tmp.mkdir()
        for category in params.categories:
            systems = [b for r, c in regions.items() if c == category
                       for b in selected.voxels(params, r)]
            systems += [selected.units(params, m, params.layer(m, category), category)
                        for m in params.models]
            check_aligned(systems)
            profs = profiles(prepare_all(systems), np.arange(systems[0].n_stimuli))
            kind = {s.label(): "network" if s.noiseless else "human" for s, _ in profs}
            for measure in MEASURES:
                sim = similarity_matrix(profs, measure, params.comparison.rdm_similarity)
                write_csv(sim.reset_index(names="system"), tmp / f"{category}_{measure}.csv")
                emb = mds(sim, seeds.child_seed(params.comparison.seed, "mds", category,
                                                measure))
                emb["kind"] = emb["system"].map(kind)
                write_csv(emb, tmp / f"{category}_{measure}_mds.csv")
