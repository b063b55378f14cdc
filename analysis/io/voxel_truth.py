"""The synthetic tiers' voxel-level truth (data/demo/truth/voxels.h5, written by
:func:`analysis.demo.write.write_voxel_truth`), read per subject as the fields of
:class:`analysis.validation.planted.VoxelTruth`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py

from analysis import paths
from analysis.errors import InputError


def read(path: Path = paths.VOXEL_TRUTH) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """Subject -> its truth's fields (ijk, region, signal_sd, t, true, images, noise_sd), and
    the fLOC domains of the ``t`` columns; InputError when the file is missing."""
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro simulate`")
    out = {}
    with h5py.File(path, "r") as f:
        images = f["images/shared"][()]
        domains = [str(d) for d in f.attrs["domains"]]
        for name in sorted(k for k in f if k.startswith("subj")):
            g = f[name]
            out[int(name[4:])] = {
                "ijk": g["ijk"][()], "region": g["region"][()].astype(str),
                "signal_sd": g["signal_sd"][()], "t": g["t"][()], "true": g["true_shared"][()],
                "images": images, "noise_sd": float(g.attrs["noise_sd"])}
    return out, domains
