"""Merge every stage's key numbers into results/results.json (read by the macros and the
`reports` stage): the compendium's own stages' and each registered analysis's section
(analysis.registry)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis import config, paths, registry
from analysis.atomic import write_json
from analysis.report.results import assemble


def _json(path: Path) -> dict:
    return json.loads(path.read_text())


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    results = assemble(
        tier=params.tier, threshold=params.threshold, n_subjects=len(params.subjects),
        ci_level=params.comparison.ci_level, n_boot=params.comparison.n_boot,
        rdm_distance=params.comparison.rdm_distance,
        equivalence={"margin": params.comparison.equivalence_margin,
                     "level": params.comparison.equivalence_level},
        reliability=pd.read_csv(paths.COMPARISON / "reliability.csv"),
        trained={m: params.zoo[m].trained for m in params.models},
        prepared=_json(paths.PREPARED_BRAIN / "summary.json"),
        voxel_counts=pd.read_csv(paths.SELECTED_VOXELS / "counts.csv"),
        localizer=_json(paths.LOCALIZER / "summary.json"),
        metrics=_json(paths.METRICS / "summary.json"),
        lesion=_json(paths.LESION / "summary.json"),
        stats=pd.read_csv(paths.COMPARISON / "stats.csv"),
        paper_distance=pd.read_csv(paths.COMPARISON / "paper_distance.csv"),
        controls=pd.read_csv(paths.COMPARISON / "controls.csv"),
        robustness=_json(paths.ROBUSTNESS / "summary.json"),
        rsa92=_json(paths.RSA92 / "summary.json"),
        annotations=_json(paths.ANNOTATIONS / "summary.json"),
        validation=_json(paths.VALIDATION / "summary.json"),
        planted_truth=_json(paths.PLANTED_TRUTH / "summary.json"))
    for analysis in registry.analyses():
        results[analysis.name] = analysis.results(_json(analysis.summary))
    write_json(results, paths.RESULTS)
