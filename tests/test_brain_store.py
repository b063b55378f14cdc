"""The brain-dataset interface (analysis.io.brain_store): a store another dataset writes by hand,
with its own subject ids (12), image ids (not NSD's) and repetitions (2), passes the check and
reads like NSD's; a store that breaks the interface is named with what is wrong."""

from pathlib import Path

import h5py
import numpy as np
import pytest

from analysis import paths
from analysis.errors import InputError
from analysis.io import brain_store
from analysis.responses import BrainId, Selection
from analysis.vocabulary import FLOC_DOMAINS

SHARED = np.array([900001, 900007, 900003])
OWN = np.array([5, 17])


def write_store(root: Path, subject: int = 12, **override: np.ndarray) -> Path:
    """A valid store for ``subject`` (4 voxels, region FFA = voxels 1 and 3, 2 repetitions);
    ``override`` replaces datasets by name (a value None drops it)."""
    rng = np.random.default_rng(subject)
    data = {"images/shared": SHARED, "images/own": OWN,
            "voxels/ijk": np.arange(12).reshape(4, 3), "voxels/ncsnr": np.full(4, 0.4),
            "responses/shared": rng.normal(size=(4, 3, 2)),
            "responses/own": rng.normal(size=(4, 2, 2)), "roi/FFA": np.array([1, 3]),
            **{f"voxels/t_{d}": np.arange(4.0) * (k + 1) for k, d in enumerate(FLOC_DOMAINS)}}
    data.update(override)
    path = root / paths.brain_store(subject).name
    with h5py.File(path, "w") as f:
        f.attrs["subject"], f.attrs["synthetic"] = subject, False
        for name, value in data.items():
            if value is not None:
                f.create_dataset(name, data=value)
    return path


def test_another_datasets_store_passes_and_reads_like_nsds(tmp_path):
    path = write_store(tmp_path)
    brain_store.check(path, ["FFA"])
    assert brain_store.shared_ids(12, tmp_path).tolist() == SHARED.tolist()
    assert brain_store.region_voxels(12, "FFA", tmp_path).tolist() == [1, 3]
    assert brain_store.voxel_t(12, "faces", np.array([1, 3]), tmp_path).tolist() == [1.0, 3.0]
    sel = Selection("fLOC", "faces", 2.0)
    r = brain_store.responses(12, "FFA", np.array([3]), sel, tmp_path)
    assert r.system == BrainId(12, "FFA", sel)
    assert r.stimuli.tolist() == SHARED.tolist() and r.data.shape == (3, 1, 2)
    with h5py.File(path) as f:
        np.testing.assert_array_equal(r.data[:, 0, :], f["responses/shared"][3])
    own = brain_store.responses(12, "FFA", np.array([1]), sel, tmp_path, images="own")
    assert own.stimuli.tolist() == OWN.tolist()


@pytest.mark.parametrize("override, message", [
    ({"voxels/ncsnr": None}, "no dataset voxels/ncsnr"),
    ({"roi/FFA": None}, "no dataset roi/FFA"),
    ({"voxels/t_faces": np.arange(3.0)}, r"voxels/t_faces has shape \(3,\), not \(4,\)"),
    ({"images/shared": np.array([1, 1, 2])}, "images/shared lists an image twice"),
    ({"images/own": np.array([-1, 3])}, "images/own must be non-negative integer image ids"),
    ({"images/own": np.array([900001, 3])}, "in both images/shared and images/own"),
    ({"responses/own": np.zeros((4, 2, 3))}, r"responses/own has shape \(4, 2, 3\)"),
    ({"roi/FFA": np.array([2, 4])}, r"roi/FFA must hold voxel indices in \[0, 4\)"),
])
def test_a_broken_store_is_named_with_what_is_wrong(tmp_path, override, message):
    path = write_store(tmp_path, **override)
    with pytest.raises(InputError, match=message) as err:
        brain_store.check(path, ["FFA"])
    assert str(path) in str(err.value)


def test_a_missing_store_is_named(tmp_path):
    with pytest.raises(InputError, match="subj03.h5: not found"):
        brain_store.check(tmp_path / "subj03.h5", ["FFA"])
