"""``python -m analysis nsd-import``: ``dvc import-url`` every file of NSD that the pipeline
reads (analysis.io.nsd.files, for the nsd tier's parameters) from NSD's bucket into
``nsd.root``, one beta format only (``beta_format``; ``auto`` imports HDF5, which allows
partial reads). Files already imported (their ``.dvc`` file exists) are skipped, so an
interrupted import resumes. DVC records each file's ETag and md5: ``dvc update`` fetches a
file that changed on the bucket, and the stages that read ``data/nsd`` rerun.

Credentials and endpoint come from the environment (``AWS_ACCESS_KEY_ID``, ...; a
test's S3-compatible server through ``AWS_ENDPOINT_URL``), never from a committed file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tqdm import tqdm

from analysis import config
from analysis.errors import InputError, ParameterError
from analysis.io.nsd.files import pipeline_files

BUCKET = "s3://natural-scenes-dataset"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=BUCKET,
                        help=f"the bucket (or folder) holding NSD's layout (default {BUCKET})")


def run(args: argparse.Namespace) -> None:
    from dvc.repo import Repo

    params = config.load_params(args.params)
    if params.tier != "nsd":
        raise ParameterError("nsd-import fills nsd.root for the nsd tier: set tier: nsd in "
                             f"params.yaml (it is {params.tier!r})")
    src = config.brain_source(params)
    roi_defs = {k: v.model_dump() for k, v in params.roi_definitions.items()}
    fmt = "hdf5" if params.beta_format == "auto" else params.beta_format
    files = pipeline_files(src, roi_defs, params.rois, fmt)
    todo = [f for f in files if not Path(f"{f}.dvc").is_file()]
    repo = Repo()
    for file in tqdm(todo, desc="nsd-import", unit="file"):
        rel = file.relative_to(src.root).as_posix()
        file.parent.mkdir(parents=True, exist_ok=True)
        try:
            repo.imp_url(f"{args.url.rstrip('/')}/{rel}", out=str(file))
        except Exception as exc:  # DVC's errors name the URL; say which file and what next
            raise InputError(f"nsd-import: {args.url}/{rel} could not be imported ({exc}). "
                             "Check the credentials in the environment and the URL; "
                             "rerun to resume") from exc
    print(f"nsd-import: {len(todo)} file(s) imported, {len(files) - len(todo)} already "
          f"there, into {src.root} ({fmt} betas)")
