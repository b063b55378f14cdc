"""Figure 5 (encoding: necessity and sufficiency) and the reverse-predictivity figure."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from analysis import config, paths
from analysis.analyses.encoding import figure as encoding_figure
from analysis.analyses.encoding.params import OUTPUT as ENCODING
from analysis.analyses.encoding.params import block as encoding_block
from analysis.analyses.reverse_predictivity import figure as reverse_figure
from analysis.analyses.reverse_predictivity.params import OUTPUT as REVERSE
from analysis.report.figures.style import display_names, label_tier, save
from analysis.report.provenance import stage_provenance


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-encoding")
    regions = {c: r for c in params.categories if (r := params.main_region(c)) is not None}
    summary = json.loads((ENCODING / "summary.json").read_text())
    enc = encoding_block(params)
    fig = encoding_figure.draw_encoding(pd.read_csv(ENCODING / "accuracy.csv"),
                                        summary["models"], regions, enc.insilico_readout,
                                        enc.smallest_effect_share, enc.insilico_pool,
                                        display_names(params))
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE5, {**prov, "output": str(paths.FIGURE5)})
    fig = reverse_figure.draw_reverse(pd.read_csv(REVERSE / "subjects.csv"),
                                      pd.read_csv(REVERSE / "pairs.csv"),
                                      pd.read_csv(REVERSE / "units.csv"),
                                      summary["models"], regions)
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE_S2, {**prov, "output": str(paths.FIGURE_S2)})
