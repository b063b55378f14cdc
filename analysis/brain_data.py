"""Load the selected voxels' responses and the selected units' activations for comparisons."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from analysis import activation_store as store
from analysis.errors import InputError
from analysis.localizer import above
from analysis.nsd import layout

PREPARED = Path("data/prepared/brain")
UNITS = Path("data/units")


def shared_ids(subject: int, root: Path = PREPARED) -> np.ndarray:
    with h5py.File(root / f"{layout.subj(subject)}.h5", "r") as f:
        return f["images/shared"][()]


def voxel_responses(subject: int, roi: str, contrast: str | None, threshold: float,
                    root: Path = PREPARED) -> np.ndarray:
    """(n_selected, n_shared, n_rep) z-scored responses of the ROI's voxels with t > threshold
    (all ROI voxels when contrast is None)."""
    with h5py.File(root / f"{layout.subj(subject)}.h5", "r") as f:
        idx = f[f"roi/{roi}"][()]
        if contrast is not None:
            idx = idx[above(f[f"voxels/t_{contrast}"][()][idx], threshold)]
        return f["responses/shared"][np.sort(idx).tolist(), :, :] if idx.size else \
            np.empty((0, f["responses/shared"].shape[1], f["responses/shared"].shape[2]))


def responses_of(subject: int, voxels: np.ndarray, root: Path = PREPARED) -> np.ndarray:
    """(n, n_shared, n_rep) responses of the given store voxel indices."""
    with h5py.File(root / f"{layout.subj(subject)}.h5", "r") as f:
        ds = f["responses/shared"]
        if len(voxels) == 0:
            return np.empty((0, ds.shape[1], ds.shape[2]), dtype=np.float32)
        return ds[np.sort(voxels).tolist(), :, :]


def unit_mask(model: str, layer: str, localizer: str, category: str, root: Path = UNITS
              ) -> np.ndarray:
    """Units selected by localize-units at the pipeline's `threshold`."""
    with h5py.File(root / f"{model}.h5", "r") as f:
        key = f"{layer}/{localizer}/{category}"
        if key not in f:
            raise InputError(f"{root / model}.h5 has no {key}: layer {layer} was not extracted "
                             f"for {model} (add it to zoo.{model}.read) or rerun localize-units")
        return f[key][()]


def unit_t(model: str, layer: str, localizer: str, category: str, root: Path = UNITS
           ) -> np.ndarray:
    with h5py.File(root / f"{model}.h5", "r") as f:
        key = f"{layer}/t/{localizer}/{category}"
        if key not in f:
            raise InputError(f"{root / model}.h5 has no {key}; rerun localize-units")
        return f[key][()]


def activations_of(model: str, layer: str) -> np.ndarray:
    """(n_shared, n_units) activations of a layer on the shared NSD images."""
    return store.layer(model, "nsd_shared", layer)


def unit_activations(model: str, layer: str, localizer: str, category: str, threshold: float
                     ) -> np.ndarray:
    """(n_shared, n_selected) activations on the shared NSD images of the selected units."""
    sel = above(unit_t(model, layer, localizer, category), threshold)
    return store.layer(model, "nsd_shared", layer)[:, sel]


def check_same_images(subject_ids: np.ndarray, preprocessing: str) -> None:
    """The brain store and the network activations must describe the same images in order."""
    net = store.index("nsd_shared", preprocessing)["nsd_id"].to_numpy()
    if not np.array_equal(net, subject_ids):
        raise InputError("the shared images of data/prepared/brain and data/nsd_images differ; "
                         "rerun `dvc repro` so both come from the same design and parameters")


