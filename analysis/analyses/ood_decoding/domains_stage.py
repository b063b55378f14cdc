"""The out-of-domain decoding's images and every system's responses to them (data/ood/).

Images: `ood.bases_per_class` images of each class of `ood.stimulus_set` (the ten fLoc
subcategories; a seeded sample), each shown in every domain of `ood.domains` (image transforms,
domains.py). With `ood.neural_responses` / `ood.neural_labels` set, the
images are instead those of the user's labels table (its `file` column; see README) and the
neural responses are read from the user's file.

Writes data/ood/: images.csv (stimulus_id, base, domain, label, file), <model>.h5 (every model
in `models`, layer `ood.layer` or the entry's `penultimate`, as the extraction stage writes
activations), neural.h5
(responses (n_images, n_sites, n_reps), stimulus_ids, the attribute `source` and, for the
simulated population, twin_responses: the positive control) and
examples.npy (one base image in every domain, (n_domains, 128, 128, 3) uint8, for the figure).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis import config, paths, seeds
from analysis.analyses.ood_decoding.images import generated_table, load_image, resized, user_table
from analysis.analyses.ood_decoding.params import block
from analysis.atomic import atomic_path, write_csv
from analysis.demo import population
from analysis.errors import InputError
from analysis.nets import zoo
from analysis.nets.extraction import extract, resolve_device
from analysis.nets.preprocess import check_model_config, preprocess_arrays

#: Side of the images the simulated population sees (a multiple of its feature map's 32).
POPULATION_SIDE = 256
EXAMPLE_SIDE = 128


def neural(params: config.Params, table: pd.DataFrame, images: list[np.ndarray]
           ) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(responses (n_images, n_sites, n_reps), twin or None, source): the user's recordings in
    the order of ``table``, or the simulated population (analysis/demo/population.py) and its
    twin — twice as many other sites of the same simulated brain (same image features, class
    tuning drawn from the same distribution, new noise): the positive control."""
    o = block(params)
    if o.neural_responses is not None:
        path = Path(o.neural_responses)
        if not path.is_file():
            raise InputError(f"ood.neural_responses = {path}: file not found")
        with h5py.File(path, "r") as f:
            if "responses" not in f or "stimulus_ids" not in f:
                raise InputError(f"{path} needs datasets 'responses' (n_stimuli, n_sites, "
                                 "n_reps) and 'stimulus_ids' (n_stimuli,)")
            data, ids = f["responses"][()], f["stimulus_ids"][()].astype(str)
        pos = {s: k for k, s in enumerate(ids)}
        absent = [s for s in table["stimulus_id"].astype(str) if s not in pos]
        if absent:
            raise InputError(f"{path}: stimulus {absent[0]!r} of ood.neural_labels has no "
                             f"responses ({len(absent)} missing)")
        return data[[pos[s] for s in table["stimulus_id"].astype(str)]], None, str(path)
    classes = np.sort(table["label"].unique())
    labels = np.searchsorted(classes, table["label"].to_numpy())
    feats = population.features(resized(images, POPULATION_SIDE),
                                seeds.stream(o.seed, "population-features"))
    data, twin = (population.simulate(feats, labels, len(classes), sites, o.neural_reps,
                                      o.neural_noise_sd, o.neural_category_weight,
                                      seeds.stream(o.seed, stream))
                  for sites, stream in ((o.neural_sites, "population"),
                                        (2 * o.neural_sites, "population-twin")))
    return data, twin, "simulated population (analysis/demo/population.py)"


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    o = block(params)
    generated = o.neural_responses is None
    table = generated_table(params) if generated else user_table(params)
    images = [load_image(row, generated) for _, row in
              tqdm(table.iterrows(), total=len(table), desc="ood: images", leave=False)]
    device = resolve_device(params.extraction.device)
    with atomic_path(paths.OOD_DATA) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "images.csv")
        first = table["base"].iloc[0]
        np.save(tmp / "examples.npy", resized(
            [im for im, b in zip(images, table["base"], strict=True) if b == first], EXAMPLE_SIDE))
        data, twin, source = neural(params, table, images)
        with h5py.File(tmp / "neural.h5", "w") as f:
            f.create_dataset("responses", data=data.astype(np.float32), track_times=False)
            if twin is not None:
                f.create_dataset("twin_responses", data=twin.astype(np.float32),
                                 track_times=False)
            f.create_dataset("stimulus_ids", data=table["stimulus_id"].astype(str).to_numpy(
                dtype="S"), track_times=False)
            f.attrs["source"] = source
        for model in params.models:
            entry = params.zoo[model]
            assert entry.preprocessing is not None  # config: every model in `models` has one
            cfg = params.preprocessing[entry.preprocessing]
            net = zoo.build(model, entry, cfg.input_size)
            data_cfg = check_model_config(net, cfg, model, entry)
            layer = entry.penultimate or o.layer
            if layer not in dict(net.named_modules()):
                raise InputError(f"ood.layer = {layer!r} is not a module of {model}; set "
                                 f"zoo.{model}.penultimate to its penultimate (pooled) module")
            extract(net, preprocess_arrays(images, cfg), [layer], data_cfg["mean"],
                    data_cfg["std"], tmp / f"{model}.h5", params.extraction.batch_size,
                    device, entry.response, desc=f"ood: {model}")
