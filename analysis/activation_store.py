"""Read stored activations (data/activations/<model>/<set>.h5) with their image index."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from analysis.errors import InputError

ACTIVATIONS = Path("data/activations")
PREPROCESSED = Path("data/preprocessed")


def info(model: str, root: Path = ACTIVATIONS) -> dict:
    path = root / model / "info.json"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro extract@{model}` first")
    return json.loads(path.read_text())


def index(stim_set: str, preprocessing: str, root: Path = PREPROCESSED) -> pd.DataFrame:
    """The image table of a set, in the row order of its activations."""
    return pd.read_csv(root / preprocessing / f"{stim_set}.csv")


def layer(model: str, stim_set: str, name: str, kind: str = "units",
          root: Path = ACTIVATIONS) -> np.ndarray:
    """(n_images, n) float32 activations: kind 'units' or 'kernel_mean|l2|max'."""
    path = root / model / f"{stim_set}.h5"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro extract@{model}` first")
    with h5py.File(path, "r") as f:
        if name not in f:
            raise InputError(f"layer '{name}' was not extracted for {model} (has {list(f)}); "
                             f"add it to zoo.{model}.read in params.yaml")
        return f[name][kind][()].astype(np.float32)
