"""Decode + resize + crop every stimulus set once for one preprocessing configuration.

Writes data/preprocessed/<config>/<set>.npy (uint8, n x 3 x S x S) and <set>.csv (its index),
for each set in data/stimuli and for the shared NSD images (set name 'nsd_shared'); a
configuration that no model in `models` uses gets only an UNUSED marker.
"""

from __future__ import annotations

import argparse

import h5py
import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv
from analysis.errors import ParameterError
from analysis.nets.preprocess import preprocess_arrays, preprocess_files


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
        for name in params.stimulus_sets + params.supplementary_sets:
            index = pd.read_csv(paths.stimulus_set(name) / "index.csv")
            arr = preprocess_files([paths.stimulus_set(name) / f for f in index["file"]], cfg)
            np.save(tmp / f"{name}.npy", arr)
            write_csv(index, tmp / f"{name}.csv")
        with h5py.File(paths.NSD_IMAGES, "r") as f:
            arr = preprocess_arrays(f["images"][()], cfg)
            ids = f["nsd_ids"][()]
        np.save(tmp / f"{paths.NSD_SHARED_SET}.npy", arr)
        write_csv(pd.DataFrame({"nsd_id": ids}), tmp / f"{paths.NSD_SHARED_SET}.csv")
