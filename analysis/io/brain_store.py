"""Read the prepared per-subject brain stores (data/prepared/brain/subjNN.h5, written by
analysis.io.prepare_brain) as :class:`~analysis.responses.Responses`."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from analysis import paths
from analysis.errors import InputError
from analysis.responses import BrainId, Responses, Selection


def _open(subject: int, root: Path) -> h5py.File:
    path = root / paths.brain_store(subject).name
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro prepare-brain` (is subject "
                         f"{subject} in `subjects`?)")
    return h5py.File(path, "r")


def shared_ids(subject: int, root: Path = paths.PREPARED_BRAIN) -> np.ndarray:
    """(n_shared,) 0-based NSD ids of the shared images, in the stores' column order."""
    with _open(subject, root) as f:
        return f["images/shared"][()]


def region_voxels(subject: int, region: str, root: Path = paths.PREPARED_BRAIN) -> np.ndarray:
    """Store voxel indices of a region, sorted."""
    with _open(subject, root) as f:
        if f"roi/{region}" not in f:
            raise InputError(f"subject {subject}'s store has no region {region}: add it to "
                             "`rois` and rerun prepare-brain")
        return np.sort(f[f"roi/{region}"][()])


def voxel_t(subject: int, contrast: str, voxels: np.ndarray,
            root: Path = paths.PREPARED_BRAIN) -> np.ndarray:
    """fLOC t-values of ``contrast`` for the given store voxels: (n_voxels,)."""
    with _open(subject, root) as f:
        return f[f"voxels/t_{contrast}"][()][voxels]


def responses(subject: int, region: str, voxels: np.ndarray, selection: Selection,
              root: Path = paths.PREPARED_BRAIN, images: str = "shared") -> Responses:
    """Responses (n_images, n_voxels, n_rep) of the given store voxels to the shared images
    (``images='shared'``) or to the subject's own images (``'own'``; NaN for a repetition not
    shown)."""
    if images not in ("shared", "own"):
        raise ValueError(f"images must be 'shared' or 'own', got {images!r}")
    voxels = np.sort(np.asarray(voxels, dtype=np.int64))
    with _open(subject, root) as f:
        ds = f[f"responses/{images}"]
        data = (ds[voxels.tolist(), :, :] if len(voxels) else
                np.empty((0, ds.shape[1], ds.shape[2]), dtype=np.float32))
        ids = f[f"images/{images}"][()]
    return Responses(data.transpose(1, 0, 2), ids, voxels, BrainId(subject, region, selection))
