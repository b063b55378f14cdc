"""Check and build the manuscript PDF (manuscript/selcomp.pdf) and the figure manifest.

Fails when the text uses a \\res... macro that no stage writes or when the Results contain a
hand-typed number. The manifest collects every figure's provenance with its current hash.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.atomic import atomic_path, write_json
from analysis.errors import InputError
from analysis.manuscript import build, check
from analysis.provenance import dvc_md5
from analysis.stages.macros import OUT as GENERATED

MAIN = Path("manuscript/main.tex")
PDF = Path("manuscript/selcomp.pdf")
MANIFEST = Path("figures/manifest.json")


def run(args: argparse.Namespace) -> None:
    problems = check(MAIN.read_text(), (GENERATED / "numbers.tex").read_text())
    if problems:
        raise InputError(f"{MAIN}: " + "; ".join(problems))
    with atomic_path(PDF) as tmp:
        build(MAIN, tmp)
    figures = {}
    for prov in sorted(Path("figures").glob("*.provenance.json")):
        entry = json.loads(prov.read_text())
        pdf = Path(entry["output"])
        figures[str(pdf)] = {**entry, "md5": dvc_md5(pdf)}
    write_json({"manuscript": str(PDF), "manuscript_md5": dvc_md5(PDF), "figures": figures},
               MANIFEST)
