"""Category-selective voxels (fLOC t > threshold) per subject and ROI (data/selected).

Early visual ROIs (contrast null) keep all their voxels.
"""

from __future__ import annotations

import argparse

import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv
from analysis.io import brain_store
from analysis.selection import above


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    rows = []
    for s in params.subjects:
        for roi in params.rois:
            voxels = brain_store.region_voxels(s, roi)
            contrast = params.roi_definitions[roi].contrast
            if contrast is not None:
                voxels = voxels[above(brain_store.voxel_t(s, contrast, voxels),
                                      params.threshold)]
            rows.append(pd.DataFrame({"subject": s, "roi": roi, "voxel": voxels}))
    table = pd.concat(rows, ignore_index=True)
    counts = table.groupby(["subject", "roi"]).size().rename("n_selected").reset_index()
    with atomic_path(paths.SELECTED_VOXELS) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "voxels.csv")
        write_csv(counts, tmp / "counts.csv")
