"""Decode + resize + crop every stimulus set once for one preprocessing configuration.

Writes data/preprocessed/<config>/<set>.npy (uint8, n x 3 x S x S) and <set>.csv (its index),
for each set in data/stimuli, for the shared NSD images (set name 'nsd_shared') and, when a
trained model uses the configuration, for the subjects' own NSD images ('nsd_own', the encoding
models' training images; written in chunks to a memory-mapped .npy). A configuration that no
model in `models` uses gets only an UNUSED marker.
"""

from __future__ import annotations

import argparse

import h5py
import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv
from analysis.errors import ParameterError
from analysis.nets.preprocess import preprocess_arrays, preprocess_files

#: NSD images decoded at a time.
CHUNK = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="key of params.yaml `preprocessing`")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    if args.config not in params.preprocessing:
        raise ParameterError(f"unknown preprocessing config '{args.config}'; known: "
                             f"{sorted(params.preprocessing)}")
    cfg = params.preprocessing[args.config]
    users = [m for m in params.models if params.zoo[m].preprocessing == args.config]
    with atomic_path(paths.PREPROCESSED / args.config) as tmp:
        tmp.mkdir()
        if not users:  # no model in `models` needs this geometry: nothing to decode
            (tmp / "UNUSED").write_text(f"no model in `models` uses preprocessing "
                                        f"'{args.config}'\n")
            return
        name: str  # a stimulus set's name, then an NSD image set's
        for name in params.stimulus_sets + params.supplementary_sets:
            index = pd.read_csv(paths.stimulus_set(name) / "index.csv")
            arr = preprocess_files([paths.stimulus_set(name) / f for f in index["file"]], cfg)
            np.save(tmp / f"{name}.npy", arr)
            write_csv(index, tmp / f"{name}.csv")
        sets = {paths.NSD_SHARED_SET: paths.NSD_IMAGES}
        if any(params.zoo[m].trained for m in users):
            sets[paths.NSD_OWN_SET] = paths.NSD_OWN_IMAGES
        for name, source in sets.items():
            with h5py.File(source, "r") as f:
                images, ids = f["images"], f["image_ids"][()]
                side = cfg.input_size
                out = np.lib.format.open_memmap(tmp / f"{name}.npy", mode="w+", dtype=np.uint8,
                                                shape=(len(ids), 3, side, side))
                for start in tqdm(range(0, len(ids), CHUNK), desc=f"preprocess {name}",
                                  leave=False):
                    out[start:start + CHUNK] = preprocess_arrays(images[start:start + CHUNK],
                                                                 cfg)
                out.flush()
                del out
            write_csv(pd.DataFrame({"image_id": ids}), tmp / f"{name}.csv")
