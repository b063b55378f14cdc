"""Stream NSD-format betas into per-subject ROI response stores (data/prepared/brain)."""

from __future__ import annotations

import argparse

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io.nsd import layout, manifest
from analysis.io.nsd.design import load_design
from analysis.io.nsd.files import brain_files
from analysis.io.prepare_brain import prepare


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    src = config.brain_source(params)
    roi_defs = {k: v.model_dump() for k, v in params.roi_definitions.items()}
    manifest.check_inputs(src.root, brain_files(src, roi_defs, params.rois, params.beta_format),
                          "prepare-brain")
    design = load_design(layout.expdesign(src.root))
    with atomic_path(paths.PREPARED_BRAIN) as tmp:
        shared, counts = prepare(src, design, roi_defs, params.rois, params.shared_images,
                                 params.beta_format, tmp)
        write_csv(counts, tmp / "roi_voxels.csv")
        write_json({"tier": params.tier, "synthetic": src.synthetic,
                    "nsd_root": str(src.root), "shared_selection": params.shared_images,
                    "n_shared_images": int(shared.size),
                    "sessions_per_subject": {str(k): v for k, v in
                                             src.sessions_per_subject.items()}},
                   tmp / "summary.json")
