"""The shared NSD images used for comparisons, read from the stimulus brick (data/nsd_images).

Reads only the needed rows of the brick (sorted), so the 40 GB real brick is never loaded.
"""

from __future__ import annotations

import argparse

import h5py

from analysis import config, paths
from analysis.atomic import atomic_path
from analysis.io.nsd import layout
from analysis.io.nsd.design import load_design, shared_images
from analysis.io.nsd.stimuli import read_images
from analysis.io.prepare_brain import subject_trials


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    src = config.brain_source(params)
    design = load_design(layout.expdesign(src.root))
    ids = shared_images(design, subject_trials(design, src), params.shared_images)
    images = read_images(layout.stimulus_brick(src.root), ids)
    with atomic_path(paths.NSD_IMAGES) as tmp:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("nsd_ids", data=ids, track_times=False)
            f.create_dataset("images", data=images, track_times=False)
            f.attrs["synthetic"] = src.synthetic
