"""The shared NSD images used for comparisons, read from the stimulus brick (data/nsd_images).

Reads only the needed rows of the brick (sorted), so the 40 GB real brick is never loaded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import h5py

from analysis import config
from analysis.atomic import atomic_path
from analysis.nsd import layout
from analysis.nsd.design import load_design, shared_images
from analysis.nsd.stimuli import read_images
from analysis.prepare_brain import subject_trials

OUT = Path("data/nsd_images/shared.h5")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    src = config.brain_source(params)
    design = load_design(layout.expdesign(src.root))
    ids = shared_images(design, subject_trials(design, src), params["shared_images"])
    images = read_images(layout.stimulus_brick(src.root), ids)
    with atomic_path(OUT) as tmp:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("nsd_ids", data=ids, track_times=False)
            f.create_dataset("images", data=images, track_times=False)
            f.attrs["synthetic"] = src.synthetic
