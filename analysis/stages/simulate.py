"""Write the synthetic miniature NSD and localizer images to data/demo (SYNTHETIC)."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from analysis import config
from analysis.atomic import atomic_path
from analysis.demo.write import simulate

OUTPUTS = ("nsd", "stimuli", "truth")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    config.DEMO_ROOT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".staging.", dir=config.DEMO_ROOT) as staging:
        tmp = Path(staging)
        simulate(tmp, params["simulate"], params["seed"])
        for name in OUTPUTS:  # each is its own DVC output
            with atomic_path(config.DEMO_ROOT / name) as final:
                os.replace(tmp / name, final)
