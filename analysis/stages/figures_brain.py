"""Figures 3 and 4 from the comparison, systems-map and robustness results."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.figures import figure3, figure4
from analysis.figures.style import label_tier, save
from analysis.provenance import stage_provenance
from analysis.stages.compare import OUT as COMPARISON
from analysis.stages.localize_units import RESULTS as LOCALIZER
from analysis.stages.robustness import OUT as ROBUSTNESS
from analysis.stages.systems_map import OUT as SYSTEMS

FIGURE3 = Path("figures/figure3_human_vs_network.pdf")
FIGURE4 = Path("figures/figure4_robustness.pdf")
CATEGORY = "faces"


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-brain")
    matrix = pd.read_csv(SYSTEMS / f"{CATEGORY}_univariate.csv").set_index("system")
    fig = figure3.draw(pd.read_csv(COMPARISON / "similarities.csv"), matrix,
                       pd.read_csv(SYSTEMS / f"{CATEGORY}_univariate_mds.csv"), CATEGORY)
    label_tier(fig, params["tier"])
    save(fig, FIGURE3, {**prov, "output": str(FIGURE3)})
    last = json.loads((LOCALIZER / "summary.json").read_text())["last_layer"]
    fig = figure4.draw(pd.read_csv(LOCALIZER / "venn.csv"), pd.read_csv(ROBUSTNESS / "gaps.csv"),
                       last, float(params["threshold"]))
    label_tier(fig, params["tier"])
    save(fig, FIGURE4, {**prov, "output": str(FIGURE4)})
