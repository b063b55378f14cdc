"""Shared fixtures: a tiny NSD copy written by hand in NSD's exact on-disk formats."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import h5py
import nibabel as nib
import numpy as np
import pandas as pd
import pytest
import scipy.io
from threadpoolctl import threadpool_limits

from analysis.config import BrainSource
from analysis.io.nsd import layout

# The suite's many small matrix products run fastest on one BLAS thread each (two competing
# threads on a 2-core machine made the statistics' tests about three times slower).
threadpool_limits(limits=1)
# Under pytest-xdist every core runs a worker: torch's own intra-op pool (one thread per core by
# default) would oversubscribe them (the slow tier took 242 s on 2 workers against 209 s alone).
# torch reads OMP_NUM_THREADS when first imported; setting it here, rather than importing torch
# to call set_num_threads, keeps torch (about 2 s) out of test modules that do not use it.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["OMP_NUM_THREADS"] = "1"

#: Modules whose every test is marked integration (``pytestmark``): not even imported when the
#: marker expression deselects integration, so the fast tier's collection does not pay for their
#: tools (hypothesis alone: 1.7 s). tests/test_tiers.py checks the list against the markers.
INTEGRATION_MODULES = ("test_parameter_sweep.py", "test_nothing_lost.py", "test_add_analysis.py",
                       "test_remote.py", "test_explorer_pipeline.py")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name in INTEGRATION_MODULES and \
            "not integration" in (config.option.markexpr or ""):
        return True
    return None


GRID = (4, 5, 3)
TPS = 6  # trials per session


@dataclass
class TinyNSD:
    root: Path
    raw: dict[tuple[int, int], np.ndarray]  # (subject, session) -> int16 (X, Y, Z, T)
    order: np.ndarray
    subjectim: np.ndarray
    sharedix: np.ndarray
    sessions: dict[int, int]
    faces_mask: np.ndarray

    def source(self) -> BrainSource:
        return BrainSource(self.root, self.sessions, TPS, synthetic=True)


def save_nifti(data: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.Nifti1Image(data, np.eye(4)).to_filename(str(path))


def write_tiny_nsd(root: Path, seed: int = 0) -> TinyNSD:
    """Two subjects; subject 1 has 2 sessions (NIfTI), subject 2 has 1 session (HDF5).

    10k ids 1..4 per subject; ids 1..2 are shared (73k ids 5 and 2, 1-based), each shown 3x.
    masterordering over 12 trials: [1,2,3,1,4,2, 3,1,2,4,3,4].
    Subject 2 completes only session 1 (trials 0..5): it sees 10k id 1 twice, 2 twice.
    """
    rng = np.random.default_rng(seed)
    order = np.array([1, 2, 3, 1, 4, 2, 3, 1, 2, 4, 3, 4])
    sharedix = np.array([2, 5])
    subjectim = np.array([[5, 2, 1, 7], [5, 2, 3, 6]])  # 1-based 73k ids; shared first
    exp = layout.expdesign(root)
    exp.parent.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(exp, {"masterordering": order[None].astype(float),
                           "subjectim": subjectim.astype(float),
                           "sharedix": sharedix[None].astype(float)})
    sessions = {1: 2, 2: 1}
    raw = {}
    faces = np.zeros(GRID, dtype=np.int16)
    faces[1, 2, 1] = 2  # FFA-1
    faces[2, 2, 1] = 3  # FFA-2
    faces[0, 0, 0] = 1  # OFA
    faces[3, 4, 2] = -1
    for s, n in sessions.items():
        for ses in range(1, n + 1):
            data = rng.integers(-900, 900, size=(*GRID, TPS)).astype(np.int16)
            raw[(s, ses)] = data
            if s == 1:
                save_nifti(data, layout.betas(root, s, ses, "nifti"))
            else:
                path = layout.betas(root, s, ses, "hdf5")
                path.parent.mkdir(parents=True, exist_ok=True)
                with h5py.File(path, "w") as f:
                    f["betas"] = data.transpose(3, 2, 1, 0)
        save_nifti(faces, layout.roi_volume(root, s, "floc-faces"))
        for k, c in enumerate(layout.FLOC_DOMAINS):
            t = np.arange(np.prod(GRID), dtype=np.float32).reshape(GRID) / 4 + k
            save_nifti(t, layout.floc_tmap(root, s, c))
        save_nifti(np.full(GRID, 0.5, dtype=np.float32), layout.ncsnr(root, s))
    return TinyNSD(root, raw, order, subjectim, sharedix, sessions, faces)


@pytest.fixture
def tiny_nsd(tmp_path: Path) -> TinyNSD:
    return write_tiny_nsd(tmp_path / "nsd")


ROI_DEFS = {"FFA": {"volume": "floc-faces", "labels": [2, 3], "contrast": "faces"},
            "OFA": {"volume": "floc-faces", "labels": [1], "contrast": "faces"}}


def stim_table_frame() -> pd.DataFrame:
    return pd.DataFrame({"cocoId": [1, 2], "cocoSplit": ["a", "b"], "cropBox": ["x", "y"],
                         "loss": [0, 0], "nsdId": [0, 1], "flagged": [False, False],
                         "BOLD5000": [False, False], "shared1000": [True, False]})
