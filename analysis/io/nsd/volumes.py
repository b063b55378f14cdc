"""Volumes on the functional grid: ROI label volumes, fLOC t-maps, ncsnr."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import nibabel as nib
import numpy as np

from analysis.errors import InputError


def load_volume(path: Path, what: str) -> np.ndarray:
    """Read a 3-D NIfTI volume (X, Y, Z) as an array; ``what`` names it in error messages."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} not found: {path}. Check the NSD root in params.yaml "
                         "(nsd.root) or rerun the 'simulate' stage for the demo tier.")
    try:
        data = np.asanyarray(cast("nib.Nifti1Image", nib.load(str(path))).dataobj)
    except Exception as exc:
        raise InputError(f"cannot read {what} {path}: {exc}. The file is corrupt; "
                         "download it again.") from exc
    data = np.squeeze(data)
    if data.ndim != 3:
        raise InputError(f"{what} {path} has shape {data.shape}; expected a 3-D volume")
    return data


def check_grid(shape: tuple[int, ...], expected: tuple[int, ...], path: Path, what: str) -> None:
    """Fail unless a volume lies on the betas' grid."""
    if tuple(shape) != tuple(expected):
        raise InputError(
            f"{what} {path} has grid {tuple(shape)} but the betas have {tuple(expected)}. Use the "
            "func1pt8mm version of the file (the same space as the betas), not func1mm or MNI.")


def roi_mask(labels: np.ndarray, values: list[int]) -> np.ndarray:
    """Boolean mask of voxels whose label is one of ``values`` (NSD: -1 outside, 0 no ROI)."""
    return np.isin(labels, np.asarray(values, dtype=labels.dtype))

