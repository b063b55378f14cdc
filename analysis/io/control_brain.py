"""The positive control's system: a noise-free simulated subject (data/demo/truth/
control_brain.h5, written by `simulate`) presented to the comparison as a network: its voxels
are the units (each with an arbitrary positive scale, ``voxels/unit_scale`` in the file, as a
network unit's scale is arbitrary), its fLOC t the unit localizer."""

from __future__ import annotations

from pathlib import Path

import h5py

from analysis import paths
from analysis.responses import NetworkId, Responses, Selection

POSITIVE = "positive_control"


def responses(region: str, contrast: str | None, threshold: float,
              path: Path = paths.CONTROL_BRAIN, images: str = "shared") -> Responses | None:
    """The control subject's voxels of ``region`` with fLOC t of ``contrast`` > ``threshold``
    (all the region's voxels without a contrast), noise-free (n_images, n_voxels, 1) responses
    labelled as the network POSITIVE, on its shared images (``images='shared'``) or on every
    image of the brick (``'all'``: the encoding models' positive control, which trains on the
    subjects' own images). None when the file, the region or the images are missing (the tier
    has no simulated brain)."""
    if images not in ("shared", "all"):
        raise ValueError(f"images must be 'shared' or 'all', got {images!r}")
    if not path.is_file():
        return None
    with h5py.File(path, "r") as f:
        if f"roi/{region}" not in f or f"responses/{images}" not in f:
            return None
        voxels = f[f"roi/{region}"][()]
        if contrast is not None:
            voxels = voxels[f[f"voxels/t_{contrast}"][()][voxels] > threshold]
        data = f[f"responses/{images}"][()][voxels].T
        ids = f[f"images/{images}"][()]
    selection = Selection("fLOC", contrast, threshold if contrast else None)
    return Responses.from_network(data, ids, voxels,
                                  NetworkId(POSITIVE, region, True, selection, control=True))
