"""The core-objects figure (analysis.report.figures.core_objects): each main region's response
profiles, subjects against the networks' selective units, and the image RDMs of a subject, the
mean human and the first trained network, from the selected voxels and units."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.spatial.distance import squareform

from analysis import config, paths
from analysis.io import selected
from analysis.report.figures import core_objects
from analysis.report.figures.style import display_names, label_tier, network_colors, save
from analysis.report.provenance import stage_provenance
from analysis.responses import as_brain, as_network
from analysis.stats.comparison import comparison_method, prepare_all


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-profiles")
    method = comparison_method(params.comparison)
    annotations = pd.read_csv(paths.ANNOTATIONS / "images.csv")
    humans: dict[str, np.ndarray] = {}
    networks: dict[str, dict[str, np.ndarray]] = {}
    rdms: list[tuple[str, np.ndarray]] = []
    order: np.ndarray | None = None
    groups: list[str] = []
    rdm_region = ""
    for category in params.categories:
        region = params.main_region(category)
        if region is None:
            continue
        voxels = selected.voxels(params, region)
        if order is None:
            order, groups = core_objects.image_order(annotations, np.asarray(voxels[0].stimuli))
        brains = prepare_all(voxels, method)
        nets = prepare_all([selected.units(params, m, params.layer(m, category), category)
                            for m in params.models], method)
        humans[region] = np.array([np.nanmean(b.univariate, axis=1)[order] for b in brains])
        networks[region] = {as_network(n.system).model: np.nanmean(n.univariate, axis=1)[order]
                            for n in nets}
        if not rdms and brains:
            rdm_region = region
            first = as_brain(brains[0].system)
            rdms = [(f"subject {first.subject}", _sorted(brains[0].rdm, order)),
                    (f"mean of {len(brains)} subjects",
                     _sorted(np.nanmean([b.rdm for b in brains], axis=0), order))]
            trained = [n for n in nets if as_network(n.system).trained]
            if trained:
                rdms.append((display_names(params)[as_network(trained[0].system).model],
                             _sorted(trained[0].rdm, order)))
    fig = core_objects.draw(humans, networks, rdms, groups, rdm_region, display_names(params),
                            network_colors(params.models, {m: params.zoo[m].trained
                                                           for m in params.models}),
                            {m for m in params.models if params.zoo[m].trained})
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE1, {**prov, "output": str(paths.FIGURE1)})


def _sorted(condensed: np.ndarray, order: np.ndarray) -> np.ndarray:
    """A condensed RDM with its images put in ``order``."""
    square = squareform(np.asarray(condensed, dtype=float), checks=False)
    return squareform(square[np.ix_(order, order)], checks=False)
