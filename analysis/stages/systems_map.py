"""Figure 3c-d data: similarity among all subjects and all networks per category.

One region per category (its main region: FFA, EBA, PPA): two regions of one subject share
trials and noise, which breaks the noise correction's independence assumption and would
inflate those cells and pull them together in the MDS.
"""

from __future__ import annotations

import argparse

import numpy as np

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv
from analysis.io import selected
from analysis.responses import as_network, check_aligned
from analysis.stats.comparison import MEASURES, comparison_method, prepare_all, profiles
from analysis.stats.systems_map import mds, similarity_matrix


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    method = comparison_method(params.comparison)
    with atomic_path(paths.SYSTEMS_MAP) as tmp:
        tmp.mkdir()
        for category in params.categories:
            region = params.main_region(category)
            systems = list(selected.voxels(params, region)) if region else []
            systems += [selected.units(params, m, params.layer(m, category), category)
                        for m in params.models]
            check_aligned(systems)
            profs = profiles(prepare_all(systems, method), np.arange(systems[0].n_stimuli))
            kind = {s.label(): "human" if not s.noiseless else
                    "trained network" if as_network(s).trained else "untrained network"
                    for s, _ in profs}
            for measure in MEASURES:
                sim = similarity_matrix(profs, measure, method)
                write_csv(sim.reset_index(names="system"), tmp / f"{category}_{measure}.csv")
                emb = mds(sim, seeds.child_seed(params.comparison.seed, "mds", category,
                                                measure))
                emb["kind"] = emb["system"].map(kind)
                write_csv(emb, tmp / f"{category}_{measure}_mds.csv")
