"""``python -m analysis nsd-manifest``: hash every file of the tier's NSD copy that the
pipeline reads (analysis.io.nsd.files) into the copy's SHA256SUMS (analysis.io.nsd.manifest).
Run it once, right after downloading; prepare-brain and nsd-images check against it."""

from __future__ import annotations

import argparse

from analysis import config
from analysis.errors import InputError
from analysis.io.nsd import manifest
from analysis.io.nsd.files import pipeline_files


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    src = config.brain_source(params)
    roi_defs = {k: v.model_dump() for k, v in params.roi_definitions.items()}
    files = pipeline_files(src, roi_defs, params.rois, params.beta_format)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError(f"{len(missing)} file(s) the pipeline reads are missing, e.g. "
                         f"{missing[0]}: download them first (README, 'NSD tier')")
    out = manifest.write(src.root, files)
    print(f"nsd-manifest: {len(files)} files hashed into {out}")
