"""The positive control's system: a noise-free simulated subject (data/demo/truth/
control_brain.h5, written by `simulate`) presented to the comparison as a network: its voxels
are the units, its fLOC t the unit localizer."""

from __future__ import annotations

from pathlib import Path

import h5py

from analysis import paths
from analysis.responses import NetworkId, Responses, Selection

POSITIVE = "positive_control"


def responses(region: str, contrast: str | None, threshold: float,
              path: Path = paths.CONTROL_BRAIN) -> Responses | None:
    """The control subject's voxels of ``region`` with fLOC t of ``contrast`` > ``threshold``
    (all the region's voxels without a contrast) on its shared images: noise-free
    (n_shared, n_voxels, 1) responses labelled as the network POSITIVE. None when the file or
    the region is missing (the tier has no simulated brain)."""
    if not path.is_file():
        return None
    with h5py.File(path, "r") as f:
        if f"roi/{region}" not in f:
            return None
        voxels = f[f"roi/{region}"][()]
        if contrast is not None:
            voxels = voxels[f[f"voxels/t_{contrast}"][()][voxels] > threshold]
        data = f["responses/shared"][()][voxels].T
        ids = f["images/shared"][()]
    selection = Selection("fLOC", contrast, threshold if contrast else None)
    return Responses.from_network(data, ids, voxels,
                                  NetworkId(POSITIVE, region, True, selection))


def all_images(region: str, contrast: str | None, threshold: float,
               path: Path = paths.CONTROL_BRAIN) -> Responses | None:
    """The same voxels as :func:`responses` on every image of the brick (images/all): the
    encoding models' positive control, which trains on the subjects' own images. None when the
    file, the region or the images are missing."""
    if not path.is_file():
        return None
    with h5py.File(path, "r") as f:
        if f"roi/{region}" not in f or "responses/all" not in f:
            return None
        voxels = f[f"roi/{region}"][()]
        if contrast is not None:
            voxels = voxels[f[f"voxels/t_{contrast}"][()][voxels] > threshold]
        data = f["responses/all"][()][voxels].T
        ids = f["images/all"][()]
    selection = Selection("fLOC", contrast, threshold if contrast else None)
    return Responses.from_network(data, ids, voxels,
                                  NetworkId(POSITIVE, region, True, selection))
