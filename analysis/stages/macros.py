"""Generated LaTeX: numbers (one \\newcommand per value) and tables, plus the reproduction
report (results/reproduction.csv) comparing human-human similarity with the paper's values."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import yaml

from analysis import config
from analysis.atomic import atomic_path, write_csv
from analysis.macros import comparison_table, macros, numbers_tex, reproduction_table
from analysis.reproduction import reproduction
from analysis.stages.compare import OUT as COMPARISON
from analysis.stages.results import OUT as RESULTS
from analysis.stages.robustness import OUT as ROBUSTNESS

OUT = Path("manuscript/generated")
REFERENCE = Path("data/published_reference.yaml")
REPRODUCTION = Path("results/reproduction.csv")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    results = json.loads(RESULTS.read_text())
    rep = reproduction(pd.read_csv(ROBUSTNESS / "gaps.csv"),
                       yaml.safe_load(REFERENCE.read_text()))
    rep["comparable"] = params["tier"] == "nsd"
    write_csv(rep, REPRODUCTION)
    main_t = rep[rep["threshold"] == float(params["threshold"])]
    with atomic_path(OUT) as tmp:
        tmp.mkdir()
        (tmp / "numbers.tex").write_text(numbers_tex(macros(results)))
        (tmp / "table_comparison.tex").write_text(
            comparison_table(pd.read_csv(COMPARISON / "stats.csv")))
        (tmp / "table_reproduction.tex").write_text(
            reproduction_table(main_t, params["tier"] == "nsd"))
