"""The out-of-domain images: the table of base images in every domain (generated from the
stimulus set, or the user's labels table) and the images, transformed into their domain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from analysis import config, paths, seeds
from analysis.analyses.ood_decoding import domains
from analysis.analyses.ood_decoding.params import block
from analysis.errors import InputError


def generated_table(params: config.Params) -> pd.DataFrame:
    """One row per (domain, base image): stimulus_id '<domain>/<file>', base (the source
    file), domain, label (class name) and file (the source image, under the stimulus set)."""
    o = block(params)
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
            for d in o.domains for f, c in zip(bases["file"], bases["category"], strict=True)]
    return pd.DataFrame(rows)


def user_table(params: config.Params) -> pd.DataFrame:
    """The user's labels table (stimulus_id, domain, label, base, file), checked."""
    path = Path(str(block(params).neural_labels))
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
    return domains.apply(row["domain"], image) if generated else image


def resized(images: list[np.ndarray], side: int) -> np.ndarray:
    """(n, side, side, 3) uint8: every image resized (bicubic)."""
    return np.stack([np.asarray(Image.fromarray(im).resize((side, side), Image.Resampling.BICUBIC))
                     for im in images])
