"""Figures 7 (alignment-pattern analysis, results/analyses/alignment_patterns) and 8
(out-of-domain decoding, results/analyses/ood_decoding)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.analyses.alignment_patterns import figure as apa_figure
from analysis.analyses.alignment_patterns.params import OUTPUT as APA
from analysis.analyses.ood_decoding import figure as ood_figure
from analysis.analyses.ood_decoding.params import OUTPUT as OOD
from analysis.report.figures.style import display_names, label_tier, network_colors, save
from analysis.report.provenance import stage_provenance


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-companion")
    colors = network_colors(params.models, {m: params.zoo[m].trained for m in params.models})
    apa = {name: pd.read_csv(APA / f"{name}.csv")
           for name in ("brain_matrix", "stability", "layers", "systems")}
    regions = json.loads((APA / "summary.json").read_text())["regions"]
    fig = apa_figure.alignment_patterns(apa["brain_matrix"], apa["stability"], apa["layers"],
                                        apa["systems"], regions, display_names(params),
                                        colors)
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE_S3, {**prov, "output": str(paths.FIGURE_S3)})
    ood = {name: pd.read_csv(OOD / f"{name}.csv")
           for name in ("domains", "curves", "matched", "extrapolation", "scaling_sweep")}
    summary = json.loads((OOD / "summary.json").read_text())
    fig = ood_figure.ood_decoding(ood["domains"], ood["curves"], ood["matched"],
                                 np.load(paths.OOD_DATA / "examples.npy"), summary["domains"],
                                 summary["neural_in_domain"], ood["extrapolation"],
                                 ood["scaling_sweep"], summary["extrapolation"],
                                 display_names(params), colors)
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE_S4, {**prov, "output": str(paths.FIGURE_S4)})
