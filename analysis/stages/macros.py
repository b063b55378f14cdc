"""Generated LaTeX: numbers (one \\newcommand per value) and tables, plus the reproduction
report (results/reproduction.csv) comparing human-human similarity with the paper's values."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import yaml

from analysis import config, paths, registry
from analysis.atomic import atomic_path, write_csv
from analysis.report.macros import (
    comparison_table,
    manuscript_macros,
    numbers_tex,
    planted_truth_table,
    reproduction_table,
)
from analysis.report.reproduction import reproduction
from analysis.report.zoo_status import zoo_longtable, zoo_status


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    results = json.loads(paths.RESULTS.read_text())
    published = yaml.safe_load(paths.PUBLISHED_REFERENCE.read_text())
    rep = reproduction(pd.read_csv(paths.ROBUSTNESS / "hh_paper_distance.csv"), published)
    rep["comparable"] = params.tier == "nsd"
    write_csv(rep, paths.REPRODUCTION)
    main_t = rep[rep["threshold"] == float(params.threshold)]
    with atomic_path(paths.GENERATED_TEX) as tmp:
        tmp.mkdir()
        numbers = manuscript_macros(params, results, published)
        (tmp / "table_zoo.tex").write_text(zoo_longtable(zoo_status(params.zoo, params.models)))
        (tmp / "numbers.tex").write_text(numbers_tex(numbers))
        (tmp / "table_comparison.tex").write_text(
            comparison_table(pd.read_csv(paths.COMPARISON / "stats.csv")))
        main = [r for c in params.categories if (r := params.main_region(c)) is not None]
        (tmp / "table_planted_truth.tex").write_text(
            planted_truth_table(results.get("planted_truth", {}), main))
        (tmp / "table_reproduction.tex").write_text(
            reproduction_table(main_t, params.tier == "nsd"))
        for analysis in registry.analyses():
            for name, text in analysis.tables(results.get(analysis.name, {})).items():
                (tmp / name).write_text(text)
