"""Stimulus-level divergences and the diagnostic tests (Finding 5): loads every main region's
selected voxels, the annotation labels of its shared images (the ``annotate`` stage), each
model's selective units and the control subject, and the real stimulus sets' responses; writes
the tables of compute.py (which says what each holds) and summary.json into
results/analyses/divergence/.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.analyses.divergence.compute import (
    IT_COLUMNS,
    REAL_COLUMNS,
    REGION_TABLES,
    RSA_SET,
    brain_profiles,
    diagnostic_masks,
    excluded,
    it_rows,
    real_image_masks,
    real_image_row,
    region_tables,
    system_profiles,
)
from analysis.analyses.divergence.params import OUTPUT, block
from analysis.analyses.divergence.summary import summary
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError, ParameterError
from analysis.io import activation_store, controls, selected
from analysis.io import annotations as ann
from analysis.responses import aligned, check_aligned
from analysis.stats.rsa92 import load_human_rdms
from analysis.vocabulary import POSITIVE_CONTROL


def _labels(stimuli: np.ndarray) -> pd.DataFrame:
    path = paths.ANNOTATIONS / "images.csv"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro annotate`")
    table = pd.read_csv(path).set_index("image_id")
    missing = [int(s) for s in stimuli if s not in table.index]
    if missing:
        raise InputError(f"{path} has no row for shared images {missing[:5]} "
                         f"({len(missing)} in all); rerun `dvc repro annotate`")
    return table.loc[stimuli, list(ann.LABELS)].astype(float)


def _region(params: config.Params, category: str, region: str) -> dict[str, pd.DataFrame]:
    """Every table of one region, from its subjects' selected voxels, its images' labels, each
    model's selective units and the control subject's voxels on its shared images."""
    brains = [b for b in selected.voxels(params, region) if b.n_channels]
    check_aligned(brains)
    profiles, no_signal = brain_profiles(brains)
    if len(profiles) < 2:  # no test over subjects: the region is reported as excluded
        return excluded(params, category, region, len(profiles), no_signal)
    stimuli = brains[0].stimuli
    labels = _labels(stimuli)
    a, _ = diagnostic_masks(params, category, region, labels)
    units = {}
    for model in params.models:
        r = aligned(selected.units(params, model, params.layer(model, category), category),
                    stimuli)
        if r is None:
            raise InputError(f"{model}'s activations lack shared images: rerun "
                             f"`dvc repro extract@{model}`")
        units[model] = r
    ctrl = controls.positive(region, params.roi_definitions[region].contrast,
                             params.threshold, stimuli=stimuli)
    found = system_profiles(params, units, (POSITIVE_CONTROL, ctrl), a)
    return region_tables(params, category, region, stimuli, (profiles, no_signal), labels,
                         found, ann.PAIRS)


def _selective(params: config.Params, model: str, layer: str, category: str) -> np.ndarray:
    """(units,) bool: the layer's units selective for ``category`` on fLOC."""
    return selected.unit_mask(params, model, layer, category)


def _real_images(params: config.Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The selected units' contrasts on real stimulus sets, and the human-IT RDM view."""
    available = set(params.stimulus_sets) | set(params.supplementary_sets)
    rows = []
    for spec in block(params).real_images:
        if spec.set not in available:
            continue
        for model in params.models:
            entry = params.zoo[model]
            assert entry.preprocessing is not None  # config: every model in `models` has one
            a, b = real_image_masks(spec, activation_store.index(spec.set, entry.preprocessing))
            layer = params.layer(model, spec.units)
            r = activation_store.layer_responses(model, spec.set, layer, entry.preprocessing)
            rows.append(real_image_row(spec, model, entry.trained, r.mean(),
                                       _selective(params, model, layer, spec.units), a, b,
                                       params.comparison.ci_level))
    it = _it_rdm(params) if RSA_SET in available else []
    return pd.DataFrame(rows, columns=REAL_COLUMNS), pd.DataFrame(it, columns=IT_COLUMNS)


def _it_rdm(params: config.Params) -> list[dict]:
    """The 92-image set's categories, the human-IT RDMs and the face units of every network
    with at least 2 -> :func:`it_rows`."""
    first = params.zoo[params.models[0]].preprocessing
    assert first is not None  # config: every model in `models` has one
    cats = activation_store.index(RSA_SET, first)["category"].to_numpy()
    human = load_human_rdms(paths.stimulus_set(RSA_SET))
    networks = {}
    for model in params.models:
        entry = params.zoo[model]
        assert entry.preprocessing is not None  # config: every model in `models` has one
        layer = params.layer(model, "faces")
        mask = _selective(params, model, layer, "faces")
        if mask.sum() >= 2:
            x = activation_store.layer_responses(model, RSA_SET, layer, entry.preprocessing)
            networks[model] = (entry.trained, x.mean()[:, mask])
    return it_rows(cats, human, networks)


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    for category, pair in block(params).diagnostics.items():
        bad = [x for x in pair if x not in ann.LABELS]
        if bad:
            raise ParameterError(f"divergence.diagnostics.{category} = {pair}: {bad} are not "
                                 f"annotation labels ({list(ann.LABELS)})")
    parts: dict[str, list[pd.DataFrame]] = {}
    for category in params.categories:
        region = params.main_region(category)
        if region is None:
            continue
        for name, table in _region(params, category, region).items():
            parts.setdefault(name, []).append(table)
    tables = {k: pd.concat([t for t in v if len(t)] or v[:1], ignore_index=True)
              for k, v in parts.items()}
    for name in REGION_TABLES:  # every region excluded: the table is written without rows
        tables.setdefault(name, pd.DataFrame())
    tables["real_images"], tables["it_rdm"] = _real_images(params)
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        for name, table in tables.items():
            write_csv(table, tmp / f"{name}.csv")
        write_json(summary(tables, params), tmp / "summary.json")
