"""A local S3-compatible endpoint for the remote-storage tests: moto's server mode on
127.0.0.1 and a free port, and a bucket laid out like NSD's filled from the demo's copy.

The NSD bucket (``natural-scenes-dataset``) gets every file of the demo's simulated copy at
NSD's keys, as the real bucket has them: every session's betas in both formats (the demo writes
one format per subject; the other is converted, same int16 values), no SHA256SUMS (the real
bucket has none), and a stimulus table whose ``cocoId`` column gives the shared images the COCO
ids of NSD's shared-1000 annotation file (so the nsd tier's COCO labels map onto them; the other
ids go to non-shared images), the ids the real table carries.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import h5py
import nibabel as nib
import numpy as np
import pandas as pd

from analysis.io.nsd import layout, manifest

#: Credentials the server accepts (any); set in the environment, as an author's would be.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}
NSD_BUCKET = "natural-scenes-dataset"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(log: Path) -> Iterator[str]:
    """A moto S3 server on 127.0.0.1; yields its URL and stops it on exit. Its log (a line per
    request) goes to ``log``: a pipe nobody reads would fill and stall it."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                 "-p", str(port)], stdout=sink, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"moto server exited: {log.read_text()}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError(f"moto server did not answer on {url}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def client(url: str):  # noqa: ANN201 (boto3's client has no public type)
    import boto3

    return boto3.client("s3", endpoint_url=url,
                        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        region_name=CREDENTIALS["AWS_DEFAULT_REGION"])


def _other_format(path: Path, dest: Path) -> None:
    """Write ``path``'s betas in the other format at ``dest`` (same int16 values)."""
    if path.suffix == ".hdf5":
        with h5py.File(path, "r") as f:
            data = f["betas"][()].transpose(3, 2, 1, 0)  # (T, Z, Y, X) -> (X, Y, Z, T)
        nib.Nifti1Image(data, np.eye(4)).to_filename(str(dest))
    else:
        img = cast("nib.Nifti1Image", nib.load(str(path)))
        data = np.asanyarray(img.dataobj).astype(np.int16)
        with h5py.File(dest, "w") as f:
            f.create_dataset("betas", data=data.transpose(3, 2, 1, 0), track_times=False)


def _stim_info_with_coco_ids(path: Path, coco_ids: np.ndarray) -> pd.DataFrame:
    """The demo's table with the shared images carrying the first COCO ids, others the rest."""
    table = pd.read_csv(path, index_col=0)
    shared = np.flatnonzero(table["shared1000"].to_numpy())
    others = np.flatnonzero(~table["shared1000"].to_numpy())
    if len(coco_ids) > len(table):
        raise ValueError(f"{len(coco_ids)} COCO ids for {len(table)} images")
    ids = table["cocoId"].to_numpy().copy()
    order = np.concatenate([shared, others])[:len(coco_ids)]
    ids[order] = coco_ids
    table["cocoId"] = ids
    return table


def upload_nsd(url: str, demo_root: Path, coco_ids: np.ndarray) -> int:
    """Fill the NSD bucket on ``url`` from the demo's copy at ``demo_root``; returns the number
    of objects."""
    s3 = client(url)
    s3.create_bucket(Bucket=NSD_BUCKET)
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(demo_root.rglob("*")):
            if not path.is_file() or path.name == manifest.NAME:
                continue
            key = path.relative_to(demo_root).as_posix()
            if path == layout.stim_info(demo_root):
                table = _stim_info_with_coco_ids(path, coco_ids)
                path = Path(tmp) / path.name
                table.to_csv(path)
            elif path.name.startswith("betas_session"):
                other = ".nii.gz" if path.suffix == ".hdf5" else ".hdf5"
                stem = path.name.split(".")[0]
                converted = Path(tmp) / f"{stem}{other}"
                _other_format(path, converted)
                s3.upload_file(str(converted), NSD_BUCKET, f"{key.rsplit('/', 1)[0]}/"
                                                           f"{converted.name}")
                n += 1
            s3.upload_file(str(path), NSD_BUCKET, key)
            n += 1
    return n
