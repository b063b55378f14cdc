"""The brain-dataset interface: a prepared store per subject, read as
:class:`~analysis.responses.Responses`.

Everything after `prepare-brain` reads brain data only through this module, so a brain dataset
is anything that writes these stores (data/prepared/brain/subjNN.h5, :func:`paths.brain_store`)
and passes :func:`check`. NSD is one implementation (analysis.io.prepare_brain over the
readers in analysis.io.nsd); the demo tier is NSD's, fed the simulated copy analysis.demo
writes in NSD's own formats. CONTRIBUTING.md ("Add a brain dataset") gives the steps.

A store (HDF5), for one subject (a positive integer id, attribute ``subject``; any number, not
only NSD's 1-8) and the union of the requested regions' voxels (n_vox):

* ``images/shared`` (n_shared,) int64: ids of the images every subject saw, in column order;
  ``images/own`` (n_own,) int64: this subject's other images. Ids are the dataset's own
  non-negative image ids (NSD: the 0-based index into its 73k images), the ids of the image
  stores and annotation tables (``image_id``).
* ``voxels/ijk`` (n_vox, 3) int: voxel coordinates on the functional grid.
* ``voxels/t_<domain>`` (n_vox,) float: the localizer t of each fLOC domain
  (analysis.vocabulary.FLOC_DOMAINS); ``voxels/ncsnr`` (n_vox,) float: noise-ceiling SNR.
* ``responses/shared`` (n_vox, n_shared, n_rep), ``responses/own`` (n_vox, n_own, n_rep) float:
  single-trial responses z-scored per voxel within each session, NaN where a repetition was not
  shown (n_rep: the most repetitions of an image; NSD: 3).
* ``roi/<NAME>`` (n_in_roi,) int: indices into the voxel axis, one per requested region.
* attribute ``synthetic`` (bool): simulated data (the demo) or a real dataset.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from analysis import paths
from analysis.errors import InputError
from analysis.responses import BrainId, Responses, Selection
from analysis.vocabulary import FLOC_DOMAINS


def check(path: Path, regions: list[str]) -> None:
    """Check that the store at ``path`` holds what the interface above says, with ``regions``:
    every dataset present, shapes consistent, ids unique; InputError naming the file and the
    first thing wrong. Reads the metadata and the small datasets, not the responses."""
    def fail(what: str) -> InputError:
        return InputError(f"{path}: {what} (the prepared-store interface: "
                          "analysis/io/brain_store.py)")

    if not path.is_file():
        raise fail("not found")
    with h5py.File(path, "r") as f:
        for attr in ("subject", "synthetic"):
            if attr not in f.attrs:
                raise fail(f"no attribute '{attr}'")
        if int(f.attrs["subject"]) < 1:
            raise fail(f"subject id {f.attrs['subject']} is not a positive integer")
        names = ["images/shared", "images/own", "voxels/ijk", "voxels/ncsnr",
                 "responses/shared", "responses/own",
                 *(f"voxels/t_{d}" for d in FLOC_DOMAINS), *(f"roi/{r}" for r in regions)]
        absent = [n for n in names if n not in f]
        if absent:
            raise fail(f"no dataset {', '.join(absent)}")
        n_vox = f["voxels/ijk"].shape[0]
        if f["voxels/ijk"].shape != (n_vox, 3):
            raise fail(f"voxels/ijk has shape {f['voxels/ijk'].shape}, not (n_voxels, 3)")
        for n in ("voxels/ncsnr", *(f"voxels/t_{d}" for d in FLOC_DOMAINS)):
            if f[n].shape != (n_vox,):
                raise fail(f"{n} has shape {f[n].shape}, not ({n_vox},) like voxels/ijk")
        n_rep = f["responses/shared"].shape[2] if f["responses/shared"].ndim == 3 else -1
        for images in ("shared", "own"):
            ids = f[f"images/{images}"][()]
            if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or (ids < 0).any():
                raise fail(f"images/{images} must be non-negative integer image ids")
            if np.unique(ids).size != ids.size:
                raise fail(f"images/{images} lists an image twice")
            shape = f[f"responses/{images}"].shape
            if shape != (n_vox, ids.size, n_rep) or n_rep < 1:
                raise fail(f"responses/{images} has shape {shape}, not (n_voxels={n_vox}, "
                           f"n_images={ids.size}, n_repetitions) like the shared responses")
        if np.intersect1d(f["images/shared"][()], f["images/own"][()]).size:
            raise fail("an image is in both images/shared and images/own")
        for r in regions:
            idx = f[f"roi/{r}"][()]
            if idx.size == 0 or idx.min() < 0 or idx.max() >= n_vox:
                raise fail(f"roi/{r} must hold voxel indices in [0, {n_vox})")


def _open(subject: int, root: Path) -> h5py.File:
    path = root / paths.brain_store(subject).name
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro prepare-brain` (is subject "
                         f"{subject} in `subjects`?)")
    return h5py.File(path, "r")


def shared_ids(subject: int, root: Path = paths.PREPARED_BRAIN) -> np.ndarray:
    """(n_shared,) ids of the shared images, in the stores' column order."""
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
    return voxel_values(subject, f"t_{contrast}", voxels, root)


def voxel_values(subject: int, name: str, voxels: np.ndarray,
                 root: Path = paths.PREPARED_BRAIN) -> np.ndarray:
    """``voxels/<name>`` (``ijk``, ``ncsnr``, ``t_<domain>``) of the given store voxels:
    (n_voxels, ...)."""
    with _open(subject, root) as f:
        return f[f"voxels/{name}"][()][np.asarray(voxels, dtype=np.int64)]


def is_synthetic(subject: int, root: Path = paths.PREPARED_BRAIN) -> bool:
    """Whether the subject's store holds simulated data (attribute ``synthetic``)."""
    with _open(subject, root) as f:
        return bool(f.attrs["synthetic"])


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
