"""Betas: NIfTI (X,Y,Z,T) and HDF5 (T,Z,Y,X) give the same values, int16 / 300, masked."""

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.stats

from analysis.errors import InputError
from analysis.io.nsd import layout
from analysis.io.nsd.betas import (
    find_session_file,
    read_session,
    session_grid,
    zscore_session,
)
from analysis.io.nsd.stimuli import load_stim_info, read_images
from tests.conftest import GRID, TPS, save_nifti, stim_table_frame


def _mask():
    m = np.zeros(GRID, bool)
    m[1, 2, 1] = m[2, 2, 1] = m[0, 0, 0] = m[3, 1, 2] = True
    return m


def test_nifti_and_hdf5_layouts_agree_and_are_scaled(tmp_path):
    data = np.random.default_rng(1).integers(-3000, 3000, (*GRID, TPS)).astype(np.int16)
    nii, h5 = tmp_path / "b.nii.gz", tmp_path / "b.hdf5"
    save_nifti(data, nii)
    with h5py.File(h5, "w") as f:
        f["betas"] = data.transpose(3, 2, 1, 0)
    m = _mask()
    a = read_session(nii, "nifti", m)
    b = read_session(h5, "hdf5", m, chunk=4)  # chunk smaller than the session
    expected = data[m].astype(np.float32) / 300.0
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(b, expected)
    assert a[0, 0] == pytest.approx(data[0, 0, 0, 0] / 300.0)  # first voxel in (x,y,z) order
    assert session_grid(h5, "hdf5") == (GRID, TPS)


def test_grid_mismatch_and_corrupt_file_are_named(tmp_path):
    data = np.zeros((*GRID, TPS), np.int16)
    nii = tmp_path / "betas_session01.nii.gz"
    save_nifti(data, nii)
    with pytest.raises(InputError, match="does not match the betas grid"):
        read_session(nii, "nifti", np.ones((4, 4, 4), bool))
    broken = tmp_path / "broken.hdf5"
    broken.write_bytes(b"\x89HDF garbage")
    with pytest.raises(InputError, match="broken.hdf5"):
        read_session(broken, "hdf5", _mask())


def test_missing_session_names_the_file_and_the_fix(tiny_nsd):
    with pytest.raises(InputError, match=r"betas_session05\.hdf5.*sessions_per_subject"):
        find_session_file(tiny_nsd.root, 1, 5, "auto")
    path, fmt = find_session_file(tiny_nsd.root, 2, 1, "auto")
    assert fmt == "hdf5" and path == layout.betas(tiny_nsd.root, 2, 1, "hdf5")


def test_zscore_matches_scipy():
    x = np.random.default_rng(2).normal(3, 2, (5, 40)).astype(np.float32)
    x[4] = 1.0  # a flat voxel
    z, n_flat = zscore_session(x)
    np.testing.assert_allclose(z[:4], scipy.stats.zscore(x[:4], axis=1), rtol=1e-5, atol=1e-6)
    assert n_flat == 1 and np.all(z[4] == 0)


def test_stimulus_brick_reads_rows_in_requested_order(tmp_path):
    brick = np.arange(6 * 2 * 2 * 3, dtype=np.uint8).reshape(6, 2, 2, 3)
    path = tmp_path / "nsd_stimuli.hdf5"
    with h5py.File(path, "w") as f:
        f["imgBrick"] = brick
    got = read_images(path, np.array([4, 1, 4]))
    np.testing.assert_array_equal(got, brick[[4, 1, 4]])
    with pytest.raises(InputError, match="0-based"):
        read_images(path, np.array([6]))


def test_stim_info_reads_nsd_columns(tmp_path):
    path = tmp_path / "nsd_stim_info_merged.csv"
    stim_table_frame().to_csv(path)  # written with the unnamed index column, as NSD's
    t = load_stim_info(path)
    assert t["nsdId"].tolist() == [0, 1]
    pd.DataFrame({"a": [1]}).to_csv(path)
    with pytest.raises(InputError, match="cocoId"):
        load_stim_info(path)
