"""The annotation table of the shared images (results/annotations/images.csv, schema in
analysis/io/annotations.py) and its summary (label counts and sources).

demo and public tiers: the table the generator of the synthetic NSD wrote (every label known);
nsd tier: labels derived from the COCO annotations of the shared-1000 images (DeepNSD's
shared1000.csv, from the offline mirror or its source, data/sources.yaml), COCO ids mapped to NSD
ids through nsd_stim_info_merged.csv. On every tier the hand labels of
`annotations.hand_labels` (same schema) override the derived labels they give. Every file is
validated before anything is written; a bad row stops the stage with its file, row and problem.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError
from analysis.io import annotations as ann
from analysis.io.nsd import layout
from analysis.io.nsd.stimuli import load_stim_info
from analysis.io.public_inputs import fetch, load_sources, mirror_root

COCO_SET = "nsd_shared1000_annotations"


def _coco_labels(params: config.Params, stim: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    spec = load_sources()[COCO_SET]
    rules = ann.CocoRules(params.annotations.coco.close_area,
                          tuple(params.annotations.coco.exposed_words),
                          tuple(params.annotations.coco.covered_words))
    with tempfile.TemporaryDirectory() as tmp:
        origin = fetch(COCO_SET, spec, Path(tmp), mirror_root())
        path = Path(tmp) / "shared1000.csv"
        coco = pd.read_csv(path)
        mapping = pd.Series(stim["nsdId"].to_numpy(), index=stim["cocoId"].to_numpy())
        return ann.from_coco(coco, mapping, rules, f"{COCO_SET}/shared1000.csv"), origin


def summary(table: pd.DataFrame, origin: str, hand: str | None) -> dict:
    """Counts of 1 / 0 / unknown per label, and rows per source."""
    counts = {label: {"yes": int((table[label] == 1).sum()), "no": int((table[label] == 0).sum()),
                      "unknown": int(table[label].isna().sum())}
              for label in ann.LABELS}
    return {"n_images": len(table), "origin": origin, "hand_labels": hand,
            "labels": counts,
            "sources": {str(k): int(v) for k, v in table["source"].value_counts().items()}}


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    source = config.brain_source(params)
    stim = load_stim_info(layout.stim_info(source.root))
    known = stim["nsdId"].to_numpy()
    if source.synthetic:
        table = ann.read_table(paths.DEMO_ANNOTATIONS, known)
        origin = "synthetic (written by simulate)"
    else:
        table, origin = _coco_labels(params, stim)
        origin = f"COCO ({origin})"
    hand_path = params.annotations.hand_labels
    if hand_path is not None:
        hand = ann.read_table(hand_path, known)
        table = ann.merge(table, hand)
    missing = [label for label in ann.LABELS if label not in table]
    if missing:
        raise InputError(f"the annotation table has no column(s) {missing}")
    table = table.sort_values("image_id").reset_index(drop=True)
    for label in ann.LABELS:
        table[label] = table[label].astype("Int64")
    with atomic_path(paths.ANNOTATIONS) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "images.csv")
        write_json(summary(table, origin, hand_path), tmp / "summary.json")
    print(f"annotate: {len(table)} images ({origin}); "
          + ", ".join(f"{k} {int(np.sum(table[k] == 1))}" for k in ann.LABELS))
