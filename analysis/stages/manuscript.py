"""Check and build the manuscript PDF (manuscript/selcomp.pdf) and the figure manifest.

Fails when the text uses a \\res... macro that no stage writes or when the Results contain a
hand-typed number. The manifest collects every figure's provenance with its current hash.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis import config, paths
from analysis.atomic import atomic_path, write_json
from analysis.errors import InputError
from analysis.report.manuscript import build, check
from analysis.report.provenance import dvc_md5


def run(args: argparse.Namespace) -> None:
    config.load_params(args.params)
    problems = check(paths.MANUSCRIPT_MAIN.read_text(),
                     (paths.GENERATED_TEX / "numbers.tex").read_text())
    if problems:
        raise InputError(f"{paths.MANUSCRIPT_MAIN}: " + "; ".join(problems))
    with atomic_path(paths.MANUSCRIPT_PDF) as tmp:
        build(paths.MANUSCRIPT_MAIN, tmp)
    figures = {}
    for prov in sorted(paths.FIGURES.glob("*.provenance.json")):
        entry = json.loads(prov.read_text())
        pdf = Path(entry["output"])
        figures[str(pdf)] = {**entry, "md5": dvc_md5(pdf)}
    write_json({"manuscript": str(paths.MANUSCRIPT_PDF),
                "manuscript_md5": dvc_md5(paths.MANUSCRIPT_PDF), "figures": figures},
               paths.FIGURE_MANIFEST)
