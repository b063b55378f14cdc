"""The shared NSD images as the nsd-images stage stores them (data/nsd_images/shared.h5:
``image_ids`` (n,) int64 and ``images`` (n, H, W, 3) uint8)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from analysis import paths


def thumbnails(ids: set[int], path: Path = paths.NSD_IMAGES) -> dict[int, np.ndarray]:
    """{image_id: (H, W, 3) uint8} of the shared images asked for that the store holds."""
    with h5py.File(path, "r") as f:
        stored = f["image_ids"][()]
        rows = [k for k, i in enumerate(stored) if int(i) in ids]
        return {int(stored[k]): f["images"][k] for k in rows}
