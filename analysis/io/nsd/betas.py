"""Single-trial betas: read one session at a time, only the voxels asked for.

NSD stores betas as int16 = percent signal change x 300. The NIfTI files are (X, Y, Z, trials);
the HDF5 copies hold dataset ``betas`` shaped (trials, Z, Y, X). Both readers return
(n_voxels, n_trials) float32 in percent signal change, voxels in the order of the mask's
``np.nonzero`` on the (X, Y, Z) grid.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import h5py
import nibabel as nib
import numpy as np

from analysis.errors import InputError
from analysis.io.nsd import layout

BETA_SCALE = 300.0
#: NSD's range: a single-trial beta beyond +-100 % signal change (int16 +-30000) is not a BOLD
#: response but damage (random bytes span the whole int16 range) or a file of another kind.
MAX_ABS_PSC = 100.0
#: Share of ROI voxels that may be constant over a session's trials (their z-scores are
#: undefined; NSD's ROIs lie inside the brain, where every voxel varies).
MAX_FLAT_SHARE = 0.01


def find_session_file(root: Path, subject: int, session: int, fmt: str) -> tuple[Path, str]:
    """Locate a session's betas. ``fmt`` is 'hdf5', 'nifti' or 'auto' (HDF5 first: it allows
    partial reads)."""
    order = {"auto": ["hdf5", "nifti"], "hdf5": ["hdf5"], "nifti": ["nifti"]}
    if fmt not in order:
        raise ValueError(f"beta_format must be auto, hdf5 or nifti, got {fmt!r}")
    tried = []
    for f in order[fmt]:
        path = layout.betas(root, subject, session, f)
        if path.is_file():
            return path, f
        tried.append(str(path))
    raise InputError(f"missing betas for subject {subject} session {session}: none of "
                     f"{tried} exists. Fetch the session (README, 'NSD tier') or lower "
                     "sessions_per_subject in params.yaml if the subject has fewer sessions.")


def session_grid(path: Path, fmt: str) -> tuple[tuple[int, int, int], int]:
    """((X, Y, Z), n_trials) of a session file, read from its header only."""
    try:
        if fmt == "nifti":
            shape = cast("nib.Nifti1Image", nib.load(str(path))).shape
            if len(shape) != 4:
                raise InputError(f"{path}: betas must be 4-D (X, Y, Z, trials), got {shape}")
            return (shape[0], shape[1], shape[2]), shape[3]
        with h5py.File(path, "r") as f:
            if "betas" not in f:
                raise InputError(f"{path} has no dataset 'betas'; is it an NSD betas file?")
            t, z, y, x = f["betas"].shape
            return (x, y, z), t
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read betas file {path}: {exc}. It is corrupt or "
                         "incomplete; download it again.") from exc


def read_session(path: Path, fmt: str, mask: np.ndarray, chunk: int = 125) -> np.ndarray:
    """Betas of the voxels in ``mask`` (bool, X x Y x Z) for every trial of one session.

    Returns (n_voxels, n_trials) float32 in percent signal change. HDF5 files are read
    ``chunk`` trials at a time, so memory stays at one chunk of the full volume plus the output.
    """
    grid, n_trials = session_grid(path, fmt)
    stored = stored_dtype(path, fmt)
    if stored != np.int16:
        raise InputError(f"{path}: betas are stored as {stored}; NSD stores them as int16 "
                         "(percent signal change x 300). Is it an NSD betas file?")
    if tuple(mask.shape) != grid:
        raise InputError(f"ROI grid {mask.shape} does not match the betas grid {grid} of {path}. "
                         "Use ROI files from the same subject and func1pt8mm space.")
    out = np.empty((int(mask.sum()), n_trials), dtype=np.float32)
    try:
        if fmt == "nifti":
            data = np.asanyarray(cast("nib.Nifti1Image", nib.load(str(path))).dataobj)
            out[:] = data[mask]
        else:
            mask_zyx = mask.transpose(2, 1, 0)
            with h5py.File(path, "r") as f:
                ds = f["betas"]
                for t0 in range(0, n_trials, chunk):
                    block = ds[t0:t0 + chunk]  # (c, Z, Y, X)
                    # (c, Z, Y, X)[:, mask_zyx] orders voxels by (z, y, x); reorder to (x, y, z)
                    out[:, t0:t0 + block.shape[0]] = block[:, mask_zyx].T[_zyx_to_xyz(mask)]
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read betas from {path}: {exc}. The file is corrupt or "
                         "truncated; download it again.") from exc
    out /= BETA_SCALE
    return out


def stored_dtype(path: Path, fmt: str) -> np.dtype:
    """The dtype a betas file stores its values in (NIfTI: the header's, before scaling)."""
    if fmt == "nifti":
        return np.dtype(cast("nib.Nifti1Image", nib.load(str(path))).get_data_dtype())
    with h5py.File(path, "r") as f:
        return np.dtype(f["betas"].dtype)


def check_values(betas: np.ndarray, path: Path, session: int) -> None:
    """Fail unless one session's betas (n_voxels, n_trials; percent signal change) look like
    NSD's: finite, within +-MAX_ABS_PSC, and at most MAX_FLAT_SHARE of the voxels constant."""
    where = f"{path} (session {session})"
    bad = ~np.isfinite(betas)
    if bad.any():
        raise InputError(f"{where}: {int(bad.sum())} of {betas.size} betas of the ROI voxels "
                         "are not finite. The file is damaged; download it again.")
    beyond = np.abs(betas) > MAX_ABS_PSC
    if beyond.any():
        v, t = np.argwhere(beyond)[0]
        raise InputError(
            f"{where}: {int(beyond.sum())} of {betas.size} betas of the ROI voxels lie beyond "
            f"+-{MAX_ABS_PSC:g} % signal change (first: voxel {v}, trial {t}: "
            f"{betas[v, t]:.1f} %), outside NSD's range. The file is damaged; download it "
            "again (and check it against SHA256SUMS).")
    flat = np.ptp(betas, axis=1) == 0
    if betas.shape[0] and flat.mean() > MAX_FLAT_SHARE:
        raise InputError(
            f"{where}: {int(flat.sum())} of {betas.shape[0]} ROI voxels are constant over the "
            "session's trials, so their z-scores are undefined (a zero-filled or truncated "
            "download, or ROIs outside the brain). Download the file again or check the ROIs.")


def _zyx_to_xyz(mask: np.ndarray) -> np.ndarray:
    """Permutation taking voxels listed in (z, y, x) C-order to (x, y, z) C-order."""
    idx = np.zeros(mask.shape, dtype=np.int64)
    idx.transpose(2, 1, 0)[mask.transpose(2, 1, 0)] = np.arange(int(mask.sum()))
    return idx[mask]


def zscore_session(betas: np.ndarray) -> tuple[np.ndarray, int]:
    """Z-score each voxel across the session's trials (population SD, ddof=0).

    Returns the z-scored array and the number of voxels with zero variance, which are set to 0.
    """
    mean = betas.mean(axis=1, keepdims=True)
    sd = betas.std(axis=1, keepdims=True)
    flat = (sd == 0).ravel()
    sd[sd == 0] = 1.0
    return ((betas - mean) / sd).astype(np.float32), int(flat.sum())
