"""Category-selective voxels (fLOC t > threshold) per subject and ROI (data/selected)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.atomic import atomic_path, write_csv
from analysis.nsd import layout
from analysis.stages.prepare_brain import OUT as PREPARED
from analysis.voxel_selection import select

OUT = Path("data/selected")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    threshold = config.check_threshold(params["threshold"], "threshold", args.params)
    tables = []
    for s in params["subjects"]:
        t = select(PREPARED / f"{layout.subj(s)}.h5", params["roi_definitions"], params["rois"],
                   threshold)
        t.insert(0, "subject", s)
        tables.append(t)
    table = pd.concat(tables, ignore_index=True)
    counts = (table.groupby(["subject", "roi"]).size().rename("n_selected").reset_index())
    with atomic_path(OUT) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "voxels.csv")
        write_csv(counts, tmp / "counts.csv")
