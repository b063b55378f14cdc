"""Materialise the stimulus sets of the current tier in data/stimuli/<set>/ with index.csv.

demo: the synthetic sets written by `simulate`; public and nsd: the real sets, from the offline
mirror or their canonical source, verified against the digests in data/sources.yaml.
`supplementary_sets` are always the real sets (fetched the same way).
"""

from __future__ import annotations

import argparse
import shutil

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError
from analysis.io.public_inputs import fetch, load_sources, mirror_root
from analysis.io.stimulus_sets import build_index


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    sources = load_sources()
    origins: dict[str, str] = {}
    name: str  # a set of stimulus_sets, then of supplementary_sets
    with atomic_path(paths.STIMULI) as tmp:
        for name in params.stimulus_sets:
            dest = tmp / name
            if params.tier == "demo":
                src = paths.DEMO_STIMULI / name
                if not src.is_dir():
                    raise InputError(f"stimulus set '{name}' has no synthetic version in {src}; "
                                     "remove it from stimulus_sets or use tier: public")
                shutil.copytree(src, dest)
                origins[name] = "synthetic"
            else:
                if name not in sources:
                    raise InputError(f"stimulus set '{name}' is not declared in {paths.SOURCES}")
                origins[name] = fetch(name, sources[name], dest, mirror_root())
            write_csv(build_index(name, dest), dest / "index.csv")
        for name in params.supplementary_sets:
            try:
                origins[name] = fetch(name, sources[name], tmp / name, mirror_root())
            except InputError as exc:
                raise InputError(f"{exc} The supplementary set '{name}' is real data in every "
                                 "tier; to run without it use `dvc exp run -S "
                                 "'supplementary_sets=[]'`.") from exc
            write_csv(build_index(name, tmp / name), tmp / name / "index.csv")
        write_json({"tier": params.tier, "origin": origins}, tmp / "provenance.json")
