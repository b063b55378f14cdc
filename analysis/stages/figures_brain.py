"""Figures 3 and 4 from the comparison, systems-map and robustness results."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from analysis import config, paths
from analysis.report.figures import figure3, figure4
from analysis.report.figures.style import display_names, label_tier, network_colors, save
from analysis.report.provenance import stage_provenance


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-brain")
    category = params.categories[0]
    main = [r for c in params.categories if (r := params.main_region(c)) is not None]
    matrix = pd.read_csv(paths.SYSTEMS_MAP / f"{category}_univariate.csv").set_index("system")
    fig = figure3.draw(pd.read_csv(paths.COMPARISON / "similarities.csv"), matrix,
                       pd.read_csv(paths.SYSTEMS_MAP / f"{category}_univariate_mds.csv"),
                       category, main, display_names(params),
                       network_colors(params.models, {m: params.zoo[m].trained
                                                      for m in params.models}))
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE3, {**prov, "output": str(paths.FIGURE3)})
    last = json.loads((paths.LOCALIZER / "summary.json").read_text())["last_layer"]
    fig = figure4.draw(pd.read_csv(paths.LOCALIZER / "venn.csv"),
                       pd.read_csv(paths.ROBUSTNESS / "gaps.csv"), last,
                       params.threshold, params.categories, params.compared_regions())
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE4, {**prov, "output": str(paths.FIGURE4)})

