"""Activations of one zoo model for every preprocessed stimulus set (data/activations/<model>).

GPU when present (params `extraction.device: auto`), batched, float16 units, progress bars.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from analysis import config, zoo
from analysis.activations import extract, resolve_device
from analysis.atomic import atomic_path, write_json
from analysis.errors import ParameterError
from analysis.preprocess import check_model_config
from analysis.stages.preprocess import OUT as PREPROCESSED

OUT = Path("data/activations")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="key of params.yaml `zoo`")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    if args.model not in params["zoo"]:
        raise ParameterError(f"unknown model '{args.model}' (not a key of params.yaml zoo)")
    entry = params["zoo"][args.model]
    model = zoo.build(args.model, entry)
    pre = params["preprocessing"][entry["preprocessing"]]
    data_cfg = check_model_config(model, pre, args.model)
    layers = zoo.layers_to_read(entry)
    ext = params["extraction"]
    device = resolve_device(ext["device"])
    sets = list(params["stimulus_sets"]) + list(params["supplementary_sets"]) + ["nsd_shared"]
    with atomic_path(OUT / args.model) as tmp:
        tmp.mkdir()
        for name in sets:
            images = np.load(PREPROCESSED / entry["preprocessing"] / f"{name}.npy",
                             mmap_mode="r")
            extract(model, images, layers, data_cfg["mean"], data_cfg["std"], tmp / f"{name}.h5",
                    ext["batch_size"], device, desc=f"{args.model}/{name}")
        write_json({"model": args.model, "display": entry.get("display", args.model),
                    "trained": bool(entry["trained"]), "seed": entry.get("seed"),
                    "layers": layers, "sets": sets, "mean": list(data_cfg["mean"]),
                    "std": list(data_cfg["std"])}, tmp / "info.json")
