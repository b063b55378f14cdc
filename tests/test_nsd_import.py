"""NSD's bucket through `dvc import-url`, exercised: the demo's NSD files are uploaded to a local
S3-compatible server at NSD's keys (bucket ``natural-scenes-dataset``, both beta formats, as
the real bucket has them); a fresh clone set to the nsd tier imports what the pipeline reads
(`python -m analysis nsd-import`, one beta format) and runs every stage on the imported copy.
Then one beta file changes on the bucket outside every region: `dvc update` fetches it and
`dvc repro` reruns exactly the stages that read the NSD copy, no further (their outputs are
unchanged, so DVC stops there).

The run carries the settings of a variant that reruns everything (real stimulus sets and
weights, one trained and one untrained network, other shared images, no supplementary set,
Spearman/correlation RDMs, fewer bootstrap replicates, three regions) and the top of the
paper's threshold range (11), so CI exercises them in one run. About 25 minutes on 2 cores:
marked ``nsd_import`` (make test-nsd-import), outside the other tiers.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import h5py
import nibabel as nib
import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.io.nsd import layout
from analysis.io.public_inputs import fetch, load_sources, mirror_root
from analysis.stages.annotate import COCO_SET
from tests.clones import ROOT, clone, dvc, ran_stages, run
from tests.s3_endpoint import NSD_BUCKET, client, server, upload_nsd

pytestmark = pytest.mark.nsd_import
DEMO_NSD = ROOT / "data" / "demo" / "nsd"
#: The nsd tier's settings for the demo's copy, and the variant settings the run carries.
SETTINGS = {
    "tier": "nsd",
    "nsd": {"root": "data/nsd", "sessions_per_subject": [5, 5, 4, 4, 5, 4, 5, 4],
            "trials_per_session": 210},
    "threshold": 11,
    "shared_images": "shared_any",
    "supplementary_sets": [],
    "models": ["effnet_lite0", "effnet_lite0_random1"],
    "unit_localizer": {"threshold_untrained": 3},
    "comparison": {"rdm_similarity": "spearman", "rdm_distance": "correlation", "n_boot": 500},
    "rois": ["FFA", "EBA", "PPA"],
}


def _merge(base: dict, changes: dict) -> dict:
    for key, value in changes.items():
        if isinstance(value, dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def _coco_ids() -> np.ndarray:
    """The COCO ids of NSD's shared-1000 annotation file (the nsd tier labels by them)."""
    with tempfile.TemporaryDirectory() as tmp:
        fetch(COCO_SET, load_sources()[COCO_SET], Path(tmp), mirror_root())
        return pd.read_csv(Path(tmp) / "shared1000.csv")["image_id"].to_numpy()


def _readers(repo: Path, path: str) -> list[str]:
    """The stages of ``repo`` with ``path`` among their dependencies."""
    stages = yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]
    return sorted(name for name, stage in stages.items()
                  if any((d if isinstance(d, str) else next(iter(d))) == path
                         for d in stage.get("deps", [])))


def _outside_every_region(roi_dir: Path) -> tuple[int, int, int]:
    """A voxel (X, Y, Z) that no region volume of the subject includes."""
    inside = None
    for volume in sorted(roi_dir.glob("*.nii.gz")):
        data = np.asanyarray(nib.load(str(volume)).dataobj) > 0  # type: ignore[attr-defined]
        inside = data if inside is None else inside | data
    assert inside is not None, roi_dir
    x, y, z = np.argwhere(~inside)[0]
    return int(x), int(y), int(z)


def _change_on_bucket(url: str, key: str, voxel: tuple[int, int, int], dest: Path) -> None:
    """Add 1 (0.01 % signal change) to one voxel's betas in the HDF5 file at ``key``."""
    s3 = client(url)
    s3.download_file(NSD_BUCKET, key, str(dest))
    x, y, z = voxel
    with h5py.File(dest, "r+") as f:  # stored (T, Z, Y, X)
        f["betas"][:, z, y, x] = f["betas"][:, z, y, x] + 1
    s3.upload_file(str(dest), NSD_BUCKET, key)


@pytest.fixture(scope="module")
def bucket(tmp_path_factory):
    """A moto server holding the demo's NSD copy at NSD's keys; stopped after the module."""
    if not (DEMO_NSD / "nsddata").is_dir():
        pytest.skip("no demo NSD copy in data/demo/nsd: run `make repro` first")
    with server(tmp_path_factory.mktemp("moto") / "server.log") as url:
        upload_nsd(url, DEMO_NSD, _coco_ids())
        yield url


def test_imported_nsd_feeds_the_nsd_tier_and_dvc_update_reruns_its_readers(bucket, tmp_path):
    repo = clone(tmp_path / "selcomp")
    params = yaml.safe_load((repo / "params.yaml").read_text())
    (repo / "params.yaml").write_text(yaml.safe_dump(_merge(params, SETTINGS), sort_keys=False))
    env = {"AWS_ENDPOINT_URL": bucket}

    imported = run([sys.executable, "-m", "analysis", "nsd-import"], repo, env=env)
    n_files = len(list((repo / "data" / "nsd").rglob("*.dvc")))
    assert f"nsd-import: {n_files} file(s) imported" in imported.stdout, imported.stdout
    assert not list((repo / "data" / "nsd").rglob("betas_session*.nii.gz"))  # one format
    again = run([sys.executable, "-m", "analysis", "nsd-import"], repo, env=env)
    assert f"0 file(s) imported, {n_files} already there" in again.stdout  # resumable

    first = dvc("repro", cwd=repo, env=env)
    assert "Running stage 'manuscript'" in first.stdout, first.stdout[-3000:]
    results = json.loads((repo / "results" / "results.json").read_text())
    assert (results["tier"], results["threshold"]) == ("nsd", 11)
    assert results["synthetic_brain_data"] is False
    assert results["annotations"]["origin"].startswith("COCO"), results["annotations"]
    assert "up to date" in dvc("status", cwd=repo, env=env).stdout
    print(run([sys.executable, "-m", "scripts.variant_summary"], repo).stdout)

    # one file changes on the bucket, outside every region: dvc update, then dvc repro
    subject, session = 1, 2
    beta = layout.betas(Path("data/nsd"), subject, session, "hdf5")
    voxel = _outside_every_region(layout.ppdata(DEMO_NSD, subject) / "roi")
    key = beta.relative_to("data/nsd").as_posix()
    _change_on_bucket(bucket, key, voxel, tmp_path / "changed.hdf5")
    lock_before = yaml.safe_load((repo / "dvc.lock").read_text())["stages"]
    assert "up to date" in dvc("status", cwd=repo, env=env).stdout  # no check of the bucket
    record = (repo / f"{beta}.dvc").read_text()
    dvc("update", f"{beta}.dvc", cwd=repo, env=env)
    assert (repo / f"{beta}.dvc").read_text() != record  # the new md5 and ETag
    rerun = dvc("repro", cwd=repo, env=env)
    readers = _readers(repo, "data/nsd")
    assert ran_stages(rerun.stdout) == readers, rerun.stdout
    lock_after = yaml.safe_load((repo / "dvc.lock").read_text())["stages"]
    for stage in readers:  # what they wrote is unchanged, so nothing downstream reran
        assert lock_after[stage]["outs"] == lock_before[stage]["outs"], stage
