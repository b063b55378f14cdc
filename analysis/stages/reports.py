"""DVC's own reports from the results: metrics/headline.json (`dvc metrics show/diff`, `dvc
exp show`), the threshold-sweep and unit-count tables (`dvc plots show`) and the offline page
those plots render into."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.report.headline import headline, threshold_sweep, unit_counts
from analysis.report.vega_page import bundled_page

REPORTS = Path("metrics")                       # DVC's reports
HEADLINE = REPORTS / "headline.json"            # the DVC metrics file (dvc metrics/exp show)
THRESHOLD_SWEEP = REPORTS / "threshold_sweep.csv"  # dvc plots: the gap per threshold
UNIT_COUNTS = REPORTS / "unit_counts.csv"       # dvc plots: units and voxels per threshold
VEGA_TEMPLATE = REPORTS / "vega_offline.html"   # dvc plots show's page (.dvc/config)


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    main_regions = {c: r for c in params.categories if (r := params.main_region(c))}
    results = json.loads(paths.RESULTS.read_text())
    gaps = pd.read_csv(paths.ROBUSTNESS / "gaps.csv")
    write_json(headline(results, main_regions), HEADLINE)
    write_csv(threshold_sweep(gaps, main_regions), THRESHOLD_SWEEP)
    write_csv(unit_counts(gaps, main_regions), UNIT_COUNTS)
    with atomic_path(VEGA_TEMPLATE) as tmp:
        tmp.write_text(bundled_page(), encoding="utf-8")
