"""DVC's own reports from the results: metrics/headline.json (`dvc metrics show/diff`, `dvc
exp show`), the threshold-sweep and unit-count tables (`dvc plots show`) and the offline page
those plots render into."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.report.headline import headline, threshold_sweep, unit_counts
from analysis.report.vega_page import bundled_page


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    main_regions = {c: r for c in params.categories if (r := params.main_region(c))}
    results = json.loads(paths.RESULTS.read_text())
    gaps = pd.read_csv(paths.ROBUSTNESS / "gaps.csv")
    write_json(headline(results, main_regions), paths.HEADLINE)
    write_csv(threshold_sweep(gaps, main_regions), paths.THRESHOLD_SWEEP)
    write_csv(unit_counts(gaps, main_regions), paths.UNIT_COUNTS)
    with atomic_path(paths.VEGA_TEMPLATE) as tmp:
        tmp.write_text(bundled_page(), encoding="utf-8")
