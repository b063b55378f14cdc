"""Activations of one zoo model for every preprocessed stimulus set (data/activations/<model>).

GPU when present (params `extraction.device: auto`), batched, float16 units, progress bars.
"""

from __future__ import annotations

import argparse

import numpy as np

from analysis import config, paths
from analysis.atomic import atomic_path, write_json
from analysis.errors import ParameterError
from analysis.nets import zoo
from analysis.nets.extraction import extract, resolve_device
from analysis.nets.preprocess import check_model_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="key of params.yaml `zoo`")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    if args.model not in params.models:
        raise ParameterError(f"model '{args.model}' is not in `models` {params.models}")
    entry = params.zoo[args.model]
    assert entry.preprocessing is not None  # config: every model in `models` has one
    pre = params.preprocessing[entry.preprocessing]
    model = zoo.build(args.model, entry, pre.input_size)
    data_cfg = check_model_config(model, pre, args.model, entry)
    layers = entry.layers_to_read()
    device = resolve_device(params.extraction.device)
    sets = {name: layers for name in
            [*params.stimulus_sets, *params.supplementary_sets, paths.NSD_SHARED_SET]}
    # trained networks: the encoding models' training images at the category layers, and the
    # raw (pre-response) category-layer outputs of the NSD images for in-silico lesions
    category_layers = tuple(sorted(set(entry.layers.values())))
    if entry.trained:
        sets[paths.NSD_OWN_SET] = list(category_layers)
    with atomic_path(paths.activations(args.model)) as tmp:
        tmp.mkdir()
        for name, read in sets.items():
            images = np.load(paths.preprocessed(entry.preprocessing, name, "npy"), mmap_mode="r")
            extract(model, images, read, data_cfg["mean"], data_cfg["std"], tmp / f"{name}.h5",
                    params.extraction.batch_size, device, entry.response,
                    desc=f"{args.model}/{name}",
                    raw_layers=category_layers if entry.trained and name in (
                        paths.NSD_OWN_SET, paths.NSD_SHARED_SET) else ())
        write_json({"model": args.model, "display": entry.display,
                    "trained": entry.trained, "seed": entry.seed,
                    "layers": layers, "response": entry.response, "sets": list(sets),
                    "mean": list(data_cfg["mean"]), "std": list(data_cfg["std"])},
                   tmp / "info.json")
