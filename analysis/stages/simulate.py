"""Write the synthetic miniature NSD and localizer images to data/demo (SYNTHETIC)."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from analysis import config, paths
from analysis.atomic import atomic_path
from analysis.demo.write import simulate

OUTPUTS = {"nsd": paths.DEMO_NSD, "stimuli": paths.DEMO_STIMULI, "truth": paths.DEMO_TRUTH}
STAGING = f"{paths.STAGING_PREFIX}simulate."


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    paths.DEMO.mkdir(parents=True, exist_ok=True)
    for old in paths.DEMO.glob(f"{STAGING}*"):  # debris of an interrupted run
        shutil.rmtree(old, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=STAGING, dir=paths.DEMO) as staging:
        tmp = Path(staging)
        simulate(tmp, params.simulate.model_dump(), params.seed)
        for name, final in OUTPUTS.items():  # each is its own DVC output
            with atomic_path(final) as dest:
                os.replace(tmp / name, dest)
