"""Figure 2 and the metrics-study figure from the network-side result tables."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.figures import figure2, metrics_study
from analysis.figures.style import label_tier, save
from analysis.provenance import stage_provenance
from analysis.stages.localize_units import RESULTS as LOCALIZER
from analysis.stages.selectivity_metrics import OUT as METRICS

FIGURE2 = Path("figures/figure2_selective_units.pdf")
FIGURE_METRICS = Path("figures/figure_metrics_study.pdf")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-network")
    last = json.loads((LOCALIZER / "summary.json").read_text())["last_layer"]
    fig = figure2.draw(pd.read_csv(LOCALIZER / "counts.csv"),
                       pd.read_csv(LOCALIZER / "profiles.csv"),
                       pd.read_csv(LOCALIZER / "venn.csv"), last)
    label_tier(fig, params["tier"])
    save(fig, FIGURE2, {**prov, "output": str(FIGURE2)})
    fig = metrics_study.draw(*(pd.read_csv(METRICS / f"{n}.csv") for n in
                               ("pct_selective", "consistency", "lesion_correlation", "decoding")),
                             params["metrics"]["lesion_layer"])
    label_tier(fig, params["tier"])
    save(fig, FIGURE_METRICS, {**prov, "output": str(FIGURE_METRICS)})
