"""Stream NSD-format betas into per-subject ROI response stores (data/prepared/brain)."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis import config
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.nsd import layout
from analysis.nsd.design import load_design
from analysis.prepare_brain import prepare

OUT = Path("data/prepared/brain")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    src = config.brain_source(params)
    design = load_design(layout.expdesign(src.root))
    with atomic_path(OUT) as tmp:
        shared, counts = prepare(src, design, params["roi_definitions"], params["rois"],
                                 params["shared_images"], params["beta_format"], tmp)
        write_csv(counts, tmp / "roi_voxels.csv")
        write_json({"tier": params["tier"], "synthetic": src.synthetic,
                    "nsd_root": str(src.root), "shared_selection": params["shared_images"],
                    "n_shared_images": int(shared.size),
                    "sessions_per_subject": {str(k): v for k, v in
                                             src.sessions_per_subject.items()}},
                   tmp / "summary.json")
