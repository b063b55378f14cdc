"""Nothing silently wrong on the way in: a local NSD copy is checked against its sha256
manifest before it is read, and the betas read are checked for NSD's storage and range.

The manifest is checked against coreutils' ``sha256sum -c`` (an independent reader of the same
format). The acceptance case: 4 KB of random bytes written into the middle of a demo HDF5 beta
file, the manifest left as it was, make ``prepare-brain`` fail naming the file. Without a
manifest only the value checks stand: they stop random bytes that land in the regions' voxels
with values beyond NSD's range (about 8 % of random int16 values are), not bytes elsewhere.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from analysis.config import BrainSource
from analysis.demo.write import simulate
from analysis.errors import InputError
from analysis.io.nsd import betas as nsd_betas
from analysis.io.nsd import layout, manifest
from analysis.io.nsd.design import load_design
from analysis.io.nsd.files import brain_files
from analysis.io.prepare_brain import prepare
from tests.conftest import ROI_DEFS, save_nifti
from tests.test_demo import CFG, DEFS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory) -> Path:
    """A small simulated NSD copy (the demo's generator), with the SHA256SUMS it writes."""
    out = tmp_path_factory.mktemp("demo")
    simulate(out, CFG, seed=7)
    return out / "nsd"


def _copy(demo_copy: Path, dest: Path) -> Path:
    shutil.copytree(demo_copy, dest)
    return dest


def _source(root: Path) -> BrainSource:
    return BrainSource(root, dict(enumerate(CFG["sessions_per_subject"], 1)),
                       CFG["trials_per_session"], synthetic=True)


def test_manifest_agrees_with_coreutils_sha256sum(demo_copy, tmp_path):
    root = _copy(demo_copy, tmp_path / "nsd")
    assert manifest.path(root).is_file()  # the demo's copy carries one, as an author's would
    done = subprocess.run(["sha256sum", "--check", "--quiet", manifest.NAME], cwd=root,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    files = brain_files(_source(root), DEFS, list(DEFS), "auto")
    assert manifest.check(root, files)
    assert set(manifest.read(root)) >= {f.relative_to(root).as_posix() for f in files}
    # a changed file is named by both readers
    victim = layout.floc_tmap(root, 3, "faces")
    victim.write_bytes(victim.read_bytes() + b"\0")
    done = subprocess.run(["sha256sum", "--check", "--quiet", manifest.NAME], cwd=root,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "subj03/func1pt8mm/floc_facestval.nii.gz" in done.stdout
    with pytest.raises(InputError, match=r"floc_facestval\.nii\.gz does not match its sha256"):
        manifest.check(root, files)


def test_manifest_names_an_unlisted_file_and_a_malformed_line(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    manifest.write(tmp_path, [tmp_path / "a.txt"])
    with pytest.raises(InputError, match=r"b\.txt is not in .*SHA256SUMS"):
        manifest.check(tmp_path, [tmp_path / "a.txt", tmp_path / "b.txt"])
    manifest.path(tmp_path).write_text("not a digest  a.txt\n")
    with pytest.raises(InputError, match=r"SHA256SUMS, line 1"):
        manifest.check(tmp_path, [tmp_path / "a.txt"])
    manifest.path(tmp_path).unlink()
    assert manifest.check(tmp_path, [tmp_path / "a.txt"]) is False  # nothing to check against


def _params(tmp: Path) -> Path:
    """The repository's parameters with the small demo's simulate block and three regions."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["simulate"].update(CFG)
    params["rois"] = list(DEFS)
    path = tmp / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def _prepare_brain(cwd: Path) -> subprocess.CompletedProcess:
    """``python -m analysis prepare-brain`` in ``cwd`` (its data/demo/nsd is the copy)."""
    (cwd / "zoo.yaml").symlink_to(ROOT / "zoo.yaml")  # validated with the parameters
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "analysis", "--params", str(_params(cwd)),
                           "prepare-brain"], cwd=cwd, env=env, capture_output=True, text=True)


def _scramble_middle(path: Path, n: int = 4096, seed: int = 0) -> None:
    """Overwrite ``n`` bytes in the middle of ``path`` with random bytes (size unchanged)."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(size // 2)
        f.write(np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes())


def test_random_bytes_in_a_beta_file_stop_prepare_brain_naming_it(demo_copy, tmp_path):
    root = _copy(demo_copy, tmp_path / "data" / "demo" / "nsd")
    victim = layout.betas(root, 2, 1, "hdf5")
    _scramble_middle(victim)
    done = _prepare_brain(tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"error: {victim.relative_to(tmp_path)} does not match its sha256" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "prepared" / "brain").exists()  # nothing half-written


def test_values_outside_nsds_range_are_named_with_file_and_session(tmp_path):
    x = np.random.default_rng(0).normal(0, 2, (6, 40)).astype(np.float32)
    nsd_betas.check_values(x, tmp_path / "b.hdf5", 3)  # NSD-like: passes
    damaged = x.copy()
    damaged[2, 7] = 31000 / 300  # an int16 that random bytes make; beyond 100 % change
    with pytest.raises(InputError, match=r"b\.hdf5 \(session 3\): 1 of 240 betas .* beyond "
                                         r"\+-100 % .*voxel 2, trial 7"):
        nsd_betas.check_values(damaged, tmp_path / "b.hdf5", 3)
    damaged = x.copy()
    damaged[0, 0] = np.nan
    with pytest.raises(InputError, match=r"session 3\): 1 of 240 betas .* not finite"):
        nsd_betas.check_values(damaged, tmp_path / "b.hdf5", 3)
    zeroed = x.copy()
    zeroed[:2] = 0  # a zero-filled stretch of the file: two voxels constant over the session
    with pytest.raises(InputError, match=r"session 3\): 2 of 6 ROI voxels are constant"):
        nsd_betas.check_values(zeroed, tmp_path / "b.hdf5", 3)


def test_prepare_names_the_session_whose_values_are_damaged(tiny_nsd, tmp_path):
    """Without a manifest the value checks still stop a damaged session, naming it."""
    raw = tiny_nsd.raw[(1, 2)].copy()
    raw[0, 0, 0, 1] = -32000  # voxel (0, 0, 0) is in FFA's union
    save_nifti(raw, layout.betas(tiny_nsd.root, 1, 2, "nifti"))
    with pytest.raises(InputError, match=r"betas_session02\.nii\.gz \(session 2\): 1 of .* "
                                         r"beyond \+-100 %"):
        prepare(tiny_nsd.source(), load_design(layout.expdesign(tiny_nsd.root)), ROI_DEFS,
                ["FFA", "OFA"], "shared_any", "auto", tmp_path / "out")


def test_betas_not_stored_as_int16_are_refused(tmp_path):
    path = tmp_path / "betas_session01.hdf5"
    with h5py.File(path, "w") as f:
        f["betas"] = np.zeros((4, 2, 2, 2), np.float32)
    with pytest.raises(InputError, match=r"betas_session01\.hdf5: betas are stored as float32"):
        nsd_betas.read_session(path, "hdf5", np.ones((2, 2, 2), bool))
