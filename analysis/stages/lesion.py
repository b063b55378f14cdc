"""Kernel lesions ranked by their effect on face-identity decoding (results/network/lesion):
each kernel silenced (zeroed in a post-activation layer, mean-ablated in a signed one; the
summary says which) and the drop in accuracy recorded."""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store
from analysis.methods.decoding import classifier, folds
from analysis.nets import zoo
from analysis.nets.extraction import resolve_device
from analysis.nets.lesion import lesion_effects
from analysis.nets.preprocess import check_model_config


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    m = params.metrics
    intact, silencing, layers = {}, {}, {}
    with atomic_path(paths.LESION) as tmp:
        tmp.mkdir()
        for key in params.lesioned():
            entry = params.zoo[key]
            assert entry.lesion is not None  # config: every lesion model has a lesion block
            assert entry.preprocessing is not None  # config: every lesion model has one
            pre = params.preprocessing[entry.preprocessing]
            model = zoo.build(key, entry, pre.input_size)
            cfg = check_model_config(model, pre, key, entry)
            images = np.load(paths.preprocessed(entry.preprocessing, m.identity_set, "npy"))
            ids = activation_store.index(m.identity_set, entry.preprocessing)[
                "identity"].to_numpy()
            table = lesion_effects(model, images, ids, entry.lesion.layer, entry.lesion.readout,
                                   cfg["mean"], cfg["std"], params.extraction.batch_size,
                                   resolve_device(params.extraction.device),
                                   partial(classifier, m.svm_C), folds(ids, m.seed))
            intact[key] = round(table.attrs["intact_accuracy"], 10)
            silencing[key] = table.attrs["silencing"]
            layers[key] = {"layer": entry.lesion.layer, "readout_layer": entry.lesion.readout}
            write_csv(table, tmp / f"{key}.csv")
        write_json({"intact_accuracy": intact, "silencing": silencing, "layers": layers},
                   tmp / "summary.json")
