"""Figure 2 and the metrics-study figure from the network-side result tables."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from analysis import config, paths
from analysis.report.figures import figure2, metrics_study
from analysis.report.figures.style import display_names, label_tier, network_colors, save
from analysis.report.provenance import stage_provenance


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-network")
    last = json.loads((paths.LOCALIZER / "summary.json").read_text())["last_layer"]
    fig = figure2.draw(pd.read_csv(paths.LOCALIZER / "counts.csv"),
                       pd.read_csv(paths.LOCALIZER / "profiles.csv"),
                       pd.read_csv(paths.LOCALIZER / "generalisation.csv"),
                       pd.read_csv(paths.LOCALIZER / "venn.csv"), last, params.categories,
                       display_names(params),
                       network_colors(params.models, {m: params.zoo[m].trained
                                                      for m in params.models}))
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE2, {**prov, "output": str(paths.FIGURE2)})
    pct, cons, corr, dec = (pd.read_csv(paths.METRICS / f"{n}.csv") for n in
                            ("pct_selective", "consistency", "lesion_correlation", "decoding"))
    fig = metrics_study.draw(pct, cons, corr, dec, params.lesion_layers())
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE_S1, {**prov, "output": str(paths.FIGURE_S1)})
