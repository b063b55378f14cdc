"""Read stored activations (data/activations/<model>/<set>.h5) with their image index."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from analysis import paths, vocabulary
from analysis.errors import InputError
from analysis.responses import NetworkId, Responses, Selection

#: Kernel summaries stored beside the units (analysis.vocabulary).
AGGREGATIONS = vocabulary.AGGREGATIONS


def info(model: str, root: Path = paths.ACTIVATIONS) -> dict:
    """The extraction record of a model: display name, trained flag, seed, layers, sets."""
    path = root / model / "info.json"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro extract@{model}` first")
    return json.loads(path.read_text())


def index(stim_set: str, preprocessing: str, root: Path = paths.PREPROCESSED) -> pd.DataFrame:
    """The image table of a set, in the row order of its activations."""
    path = root / preprocessing / f"{stim_set}.csv"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro preprocess@{preprocessing}`")
    return pd.read_csv(path)


def layer(model: str, stim_set: str, name: str, kind: str = "units",
          root: Path = paths.ACTIVATIONS) -> np.ndarray:
    """(n_images, n) float32 activations: kind 'units' or 'kernel_<aggregation>'."""
    path = root / model / f"{stim_set}.h5"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro extract@{model}` first")
    with h5py.File(path, "r") as f:
        if name not in f:
            raise InputError(f"layer '{name}' was not extracted for {model} (has {list(f)}); "
                             f"add it to zoo.{model}.read in params.yaml")
        return f[name][kind][()].astype(np.float32)


def stimulus_ids(index: pd.DataFrame) -> np.ndarray:
    """The ids of a set's images: NSD ids for the NSD images, file names otherwise."""
    return index["image_id"].to_numpy() if "image_id" in index else index["file"].to_numpy()


def layer_responses(model: str, stim_set: str, name: str, preprocessing: str,
                    selection: Selection = Selection(), root: Path = paths.ACTIVATIONS,
                    preprocessed_root: Path = paths.PREPROCESSED) -> Responses:
    """Every unit of a layer on a set as Responses (one repetition), rows keyed by the set's
    stimulus ids."""
    acts = layer(model, stim_set, name, root=root)
    ids = stimulus_ids(index(stim_set, preprocessing, preprocessed_root))
    trained = bool(info(model, root)["trained"])
    return Responses.from_network(acts, ids, np.arange(acts.shape[1]),
                                  NetworkId(model, name, trained, selection))
