"""The positive control every analysis runs like a network, as Responses.

* :func:`positive`: a noise-free simulated subject (data/demo/truth/control_brain.h5, written by
  `simulate`) presented as a network: its voxels are the units (each with an arbitrary positive
  scale, ``voxels/unit_scale`` in the file, as a network unit's scale is arbitrary), its fLOC t
  the unit localizer. A system that should match the brains.
* its negative twin, :func:`analysis.stats.controls.negative` (pure, so the planted
  worlds of analysis.validation use it too): the same system with its images shuffled, which
  breaks every image-level correspondence; a system the analyses must tell apart from the
  brains.

Analyses whose negative control acts on what they derive from the responses (the encoding
models' shuffled kernels, the reverse predictivity's shuffled targets, the divergence's shifted
profile) build it there, from the same idea.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from analysis import paths
from analysis.responses import NetworkId, Responses, Selection, aligned
from analysis.vocabulary import POSITIVE_CONTROL


def positive(region: str, contrast: str | None, threshold: float,
             path: Path = paths.CONTROL_BRAIN, images: str = "shared",
             stimuli: np.ndarray | None = None) -> Responses | None:
    """The control subject's voxels of ``region`` with fLOC t of ``contrast`` > ``threshold``
    (all the region's voxels without a contrast), noise-free (n_images, n_voxels, 1) responses
    labelled as the network POSITIVE_CONTROL, on its shared images (``images='shared'``) or on
    every image of the brick (``'all'``: the encoding models' positive control, which trains on
    the subjects' own images); with ``stimuli``, on those images in their order. None when the
    file, the region or one of the images is missing (the tier has no simulated brain)."""
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
    control = Responses.from_network(
        data, ids, voxels, NetworkId(POSITIVE_CONTROL, region, True, selection, control=True))
    if stimuli is None:
        return control
    return aligned(control, stimuli)

