"""prepare-brain on a hand-written NSD copy: values land at the right image and repetition."""

import h5py
import numpy as np
import pytest

from analysis.config import BrainSource
from analysis.errors import InputError
from analysis.io import brain_store
from analysis.io.nsd import layout
from analysis.io.nsd.design import load_design
from analysis.io.prepare_brain import prepare
from analysis.responses import Selection
from analysis.selection import above
from tests.conftest import GRID, ROI_DEFS, save_nifti


def _z(raw: np.ndarray, mask: np.ndarray) -> np.ndarray:
    x = raw[mask].astype(np.float64) / 300.0
    return (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)


def test_store_holds_zscored_betas_per_image_and_repetition(tiny_nsd, tmp_path):
    d = load_design(layout.expdesign(tiny_nsd.root))
    shared, counts = prepare(tiny_nsd.source(), d, ROI_DEFS, ["FFA", "OFA"], "shared_any",
                             "auto", tmp_path / "out")
    assert shared.tolist() == [1, 4]
    assert counts.set_index(["subject", "roi"])["n_voxels"].to_dict() == {
        (1, "FFA"): 2, (1, "OFA"): 1, (2, "FFA"): 2, (2, "OFA"): 1}
    union = np.zeros(GRID, bool)
    union[0, 0, 0] = union[1, 2, 1] = union[2, 2, 1] = True
    with h5py.File(tmp_path / "out/subj01.h5") as f:
        assert f["voxels/ijk"][()].tolist() == [[0, 0, 0], [1, 2, 1], [2, 2, 1]]
        assert f["roi/FFA"][()].tolist() == [1, 2] and f["roi/OFA"][()].tolist() == [0]
        r = f["responses/shared"][()]
        z1, z2 = _z(tiny_nsd.raw[(1, 1)], union), _z(tiny_nsd.raw[(1, 2)], union)
        # nsdId 4 (10k id 1) was shown at trials 0, 3 (session 1) and 7 (session 2, pos. 1)
        np.testing.assert_allclose(r[:, 1, 0], z1[:, 0], rtol=1e-5)
        np.testing.assert_allclose(r[:, 1, 1], z1[:, 3], rtol=1e-5)
        np.testing.assert_allclose(r[:, 1, 2], z2[:, 1], rtol=1e-5)
        # nsdId 1 (10k id 2): trials 1, 5, 8
        np.testing.assert_allclose(r[:, 0, 2], z2[:, 2], rtol=1e-5)
        # own images of subject 1: nsdIds 0 and 6
        assert f["images/own"][()].tolist() == [0, 6]
        np.testing.assert_allclose(f["responses/own"][:, 1, 0], z1[:, 4], rtol=1e-5)
        assert f["voxels/ncsnr"][()].tolist() == [0.5, 0.5, 0.5]
        t = np.arange(np.prod(GRID), dtype=np.float32).reshape(GRID) / 4
        np.testing.assert_allclose(f["voxels/t_faces"][()], t[union])
    with h5py.File(tmp_path / "out/subj02.h5") as f:  # HDF5 betas, one session only
        r = f["responses/shared"][()]
        z = _z(tiny_nsd.raw[(2, 1)], union)
        np.testing.assert_allclose(r[:, 1, 0], z[:, 0], rtol=1e-5)
        np.testing.assert_allclose(r[:, 1, 1], z[:, 3], rtol=1e-5)
        assert np.isnan(r[:, 1, 2]).all()  # third repetition never shown


def test_threshold_selection_is_strictly_above(tiny_nsd, tmp_path):
    d = load_design(layout.expdesign(tiny_nsd.root))
    prepare(tiny_nsd.source(), d, ROI_DEFS, ["FFA", "OFA"], "shared_any", "auto",
            tmp_path / "out")
    # t_faces of FFA voxels (1,2,1) and (2,2,1) are 5.5 and 9.25 (see the fixture)
    voxels = brain_store.region_voxels(1, "FFA", tmp_path / "out")
    t = brain_store.voxel_t(1, "faces", voxels, tmp_path / "out")
    assert voxels[above(t, 5.5)].tolist() == [2]
    assert voxels[above(t, 0)].tolist() == [1, 2]
    r = brain_store.responses(1, "FFA", voxels[above(t, 5.5)], Selection("fLOC", "faces", 5.5),
                              tmp_path / "out")
    assert r.data.shape == (2, 1, 3) and r.channels.tolist() == [2]


def test_missing_session_file_fails_with_its_name(tiny_nsd, tmp_path):
    layout.betas(tiny_nsd.root, 1, 2, "nifti").unlink()
    d = load_design(layout.expdesign(tiny_nsd.root))
    with pytest.raises(InputError, match="subject 1 session 2.*betas_session02"):
        prepare(tiny_nsd.source(), d, ROI_DEFS, ["FFA"], "shared_any", "auto", tmp_path / "o")


def test_roi_grid_mismatch_fails_with_the_file(tiny_nsd, tmp_path):
    save_nifti(np.zeros((9, 9, 9), np.int16), layout.roi_volume(tiny_nsd.root, 1, "floc-faces"))
    d = load_design(layout.expdesign(tiny_nsd.root))
    with pytest.raises(InputError, match=r"floc-faces\.nii\.gz.*func1pt8mm"):
        prepare(tiny_nsd.source(), d, ROI_DEFS, ["FFA"], "shared_any", "auto", tmp_path / "o")


def test_wrong_trial_count_is_reported(tiny_nsd, tmp_path):
    d = load_design(layout.expdesign(tiny_nsd.root))
    src = BrainSource(tiny_nsd.root, {1: 1}, trials_per_session=6, synthetic=True)
    prepare(src, d, ROI_DEFS, ["FFA"], "shared_any", "auto", tmp_path / "ok")
    src = BrainSource(tiny_nsd.root, {1: 1}, trials_per_session=3, synthetic=True)
    with pytest.raises(InputError, match="trials_per_session"):
        prepare(src, d, ROI_DEFS, ["FFA"], "shared_any", "auto", tmp_path / "o")
