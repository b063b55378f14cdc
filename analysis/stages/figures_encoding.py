"""Figure 5 (encoding: necessity and sufficiency) and the reverse-predictivity figure."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from analysis import config, paths
from analysis.analyses.reverse_predictivity import figure as reverse_figure
from analysis.analyses.reverse_predictivity.params import OUTPUT as REVERSE
from analysis.report.figures import figure5
from analysis.report.figures.style import label_tier, save
from analysis.report.provenance import stage_provenance


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-encoding")
    regions = {c: r for c in params.categories if (r := params.main_region(c)) is not None}
    summary = json.loads((paths.ENCODING / "summary.json").read_text())
    fig = figure5.draw_encoding(pd.read_csv(paths.ENCODING / "accuracy.csv"),
                                summary["models"], regions, params.encoding.insilico_readout,
                                params.encoding.smallest_effect_share,
                                params.encoding.insilico_pool)
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE5, {**prov, "output": str(paths.FIGURE5)})
    fig = reverse_figure.draw_reverse(pd.read_csv(REVERSE / "subjects.csv"),
                                      pd.read_csv(REVERSE / "pairs.csv"),
                                      pd.read_csv(REVERSE / "units.csv"),
                                      summary["models"], regions)
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE_REVERSE, {**prov, "output": str(paths.FIGURE_REVERSE)})
