"""The out-of-domain decoding's images and every system's responses to them (data/ood/).

Images: `ood.bases_per_class` images of each class of `ood.stimulus_set` (the ten fLoc
subcategories; a seeded sample), each shown in every domain of `ood.domains` (image transforms,
analysis/stats/image_domains.py). With `ood.neural_responses` / `ood.neural_labels` set, the
images are instead those of the user's labels table (its `file` column; see README) and the
neural responses are read from the user's file.

Writes data/ood/: images.csv (stimulus_id, base, domain, label, file), <model>.h5 (every model
in `models`, layer `ood.layer`, as the extraction stage writes activations), neural.h5
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
from PIL import Image
from tqdm import tqdm

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv
from analysis.demo import population
from analysis.errors import InputError
from analysis.nets import zoo
from analysis.nets.extraction import extract, resolve_device
from analysis.nets.preprocess import check_model_config, preprocess_arrays
from analysis.stats import image_domains

#: Side of the images the simulated population sees (a multiple of its feature map's 32).
POPULATION_SIDE = 256
EXAMPLE_SIDE = 128


def generated_table(params: config.Params) -> pd.DataFrame:
    """One row per (domain, base image): stimulus_id '<domain>/<file>', base (the source
    file), domain, label (class name) and file (the source image, under the stimulus set)."""
    o = params.ood
    index = pd.read_csv(paths.stimulus_set(o.stimulus_set) / "index.csv")
    picked = []
    for cls, g in index.groupby("category", sort=True):
        if len(g) < o.bases_per_class:
            raise InputError(f"{o.stimulus_set}: class {cls!r} has {len(g)} images, fewer than "
                             f"ood.bases_per_class = {o.bases_per_class}; lower it")
        rng = seeds.stream(o.seed, "bases", str(cls))
        picked.append(g.iloc[np.sort(rng.choice(len(g), o.bases_per_class, replace=False))])
    bases = pd.concat(picked, ignore_index=True)
    rows = [{"stimulus_id": f"{d}/{f}", "base": f, "domain": d, "label": c,
             "file": str(paths.stimulus_set(o.stimulus_set) / f)}
            for d in o.domains for f, c in zip(bases["file"], bases["category"])]
    return pd.DataFrame(rows)


def user_table(params: config.Params) -> pd.DataFrame:
    """The user's labels table (stimulus_id, domain, label, base, file), checked."""
    path = Path(params.ood.neural_labels)
    if not path.is_file():
        raise InputError(f"ood.neural_labels = {path}: file not found")
    table = pd.read_csv(path)
    missing = [c for c in ("stimulus_id", "domain", "label", "base", "file")
               if c not in table.columns]
    if missing:
        raise InputError(f"{path} lacks column(s) {missing}: one row per stimulus with its id, "
                         "image domain, class, base image and image file")
    files = [Path(f) if Path(f).is_absolute() else path.parent / f for f in table["file"]]
    absent = [str(f) for f in files if not f.is_file()]
    if absent:
        raise InputError(f"{path}: image file {absent[0]} not found ({len(absent)} missing)")
    return table.assign(file=[str(f) for f in files])


def load_image(row: pd.Series, generated: bool) -> np.ndarray:
    """(H, W, 3) uint8: the row's file, transformed into its domain when generated."""
    try:
        with Image.open(row["file"]) as im:
            image = np.asarray(im.convert("RGB"))
    except OSError as exc:
        raise InputError(f"cannot decode image {row['file']}: {exc}") from exc
    return image_domains.apply(row["domain"], image) if generated else image


def _resized(images: list[np.ndarray], side: int) -> np.ndarray:
    return np.stack([np.asarray(Image.fromarray(im).resize((side, side), Image.BICUBIC))
                     for im in images])


def neural(params: config.Params, table: pd.DataFrame, images: list[np.ndarray]
           ) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(responses (n_images, n_sites, n_reps), twin or None, source): the user's recordings in
    the order of ``table``, or the simulated population (analysis/demo/population.py) and its
    twin — twice as many other sites of the same simulated brain (same image features, class
    tuning drawn from the same distribution, new noise): the positive control."""
    o = params.ood
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
    feats = population.features(_resized(images, POPULATION_SIDE),
                                seeds.stream(o.seed, "population-features"))
    args = (labels, len(classes))
    rest = (o.neural_reps, o.neural_noise_sd, o.neural_category_weight)
    data = population.simulate(feats, *args, o.neural_sites, *rest,
                               seeds.stream(o.seed, "population"))
    twin = population.simulate(feats, *args, 2 * o.neural_sites, *rest,
                               seeds.stream(o.seed, "population-twin"))
    return data, twin, "simulated population (analysis/demo/population.py)"


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    o = params.ood
    generated = o.neural_responses is None
    table = generated_table(params) if generated else user_table(params)
    images = [load_image(row, generated) for _, row in
              tqdm(table.iterrows(), total=len(table), desc="ood: images", leave=False)]
    device = resolve_device(params.extraction.device)
    with atomic_path(paths.OOD_DATA) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "images.csv")
        first = table["base"].iloc[0]
        np.save(tmp / "examples.npy", _resized(
            [im for im, b in zip(images, table["base"]) if b == first], EXAMPLE_SIDE))
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
            net = zoo.build(model, entry)
            cfg = params.preprocessing[entry.preprocessing]
            data_cfg = check_model_config(net, cfg, model)
            if o.layer not in dict(net.named_modules()):
                raise InputError(f"ood.layer = {o.layer!r} is not a module of {model}; name "
                                 "its penultimate (pooled) layer, e.g. global_pool for timm")
            extract(net, preprocess_arrays(images, cfg), [o.layer], data_cfg["mean"],
                    data_cfg["std"], tmp / f"{model}.h5", params.extraction.batch_size,
                    device, entry.response, desc=f"ood: {model}")
