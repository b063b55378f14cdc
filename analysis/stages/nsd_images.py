"""The NSD images the networks see, read from the stimulus brick (data/nsd_images).

shared.h5: the shared images used for comparisons (and as the encoding models' test set);
own.h5: every subject's own images (the union over subjects, sorted; the encoding models'
training images). Each has ``image_ids`` (n,) the images' ids (NSD's 0-based 73k index) and
``images`` (n, H, W, 3) uint8.
Reads only the needed rows of the brick, ``CHUNK`` images at a time, so neither the 40 GB real
brick nor the ~60 000 own images of the real NSD are ever in memory at once.
"""

from __future__ import annotations

import argparse

import h5py
import numpy as np
from tqdm import tqdm

from analysis import config, paths
from analysis.atomic import atomic_path
from analysis.io.nsd import layout, manifest
from analysis.io.nsd.design import load_design, shared_images
from analysis.io.nsd.stimuli import read_images
from analysis.io.prepare_brain import subject_trials

#: Images read from the brick at a time (1000 real NSD images: 540 MB).
CHUNK = 1000


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    src = config.brain_source(params)
    brick = layout.stimulus_brick(src.root)
    manifest.check_inputs(src.root, [layout.expdesign(src.root), brick], "nsd-images")
    design = load_design(layout.expdesign(src.root))
    trials = subject_trials(design, src)
    ids = shared_images(design, trials, params.shared_images)
    own = np.setdiff1d(np.unique(np.concatenate([t["nsd_id"].to_numpy()
                                                 for t in trials.values()])),
                       design.sharedix - 1)
    for path, chosen in ((paths.NSD_IMAGES, ids), (paths.NSD_OWN_IMAGES, own)):
        with atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                f.create_dataset("image_ids", data=chosen, track_times=False)
                f.attrs["synthetic"] = src.synthetic
                out = None
                for start in tqdm(range(0, len(chosen), CHUNK), desc=f"nsd-images {path.stem}",
                                  leave=False):
                    images = read_images(brick, chosen[start:start + CHUNK])
                    if out is None:
                        out = f.create_dataset("images", (len(chosen), *images.shape[1:]),
                                               np.uint8, track_times=False)
                    out[start:start + len(images)] = images
