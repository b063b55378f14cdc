"""Figures 7 (alignment-pattern analysis, results/alignment_patterns) and 8 (out-of-domain
decoding, results/ood)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.report.figures import companion
from analysis.report.figures.style import label_tier, save
from analysis.report.provenance import stage_provenance


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-companion")
    apa = {name: pd.read_csv(paths.ALIGNMENT_PATTERNS / f"{name}.csv")
           for name in ("brain_matrix", "stability", "layers", "systems")}
    regions = json.loads((paths.ALIGNMENT_PATTERNS / "summary.json").read_text())["regions"]
    fig = companion.alignment_patterns(apa["brain_matrix"], apa["stability"], apa["layers"],
                                       apa["systems"], regions)
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE7, {**prov, "output": str(paths.FIGURE7)})
    ood = {name: pd.read_csv(paths.OOD / f"{name}.csv")
           for name in ("domains", "curves", "matched", "extrapolation", "scaling_sweep")}
    summary = json.loads((paths.OOD / "summary.json").read_text())
    fig = companion.ood_decoding(ood["domains"], ood["curves"], ood["matched"],
                                 np.load(paths.OOD_DATA / "examples.npy"), summary["domains"],
                                 summary["neural_in_domain"], ood["extrapolation"],
                                 ood["scaling_sweep"], summary["extrapolation"])
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE8, {**prov, "output": str(paths.FIGURE8)})
