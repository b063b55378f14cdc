"""Alignment-pattern analysis over the regions in `rois` (companion analysis; method in
patterns.py, the tables in analyse.py).

Loads each subject's voxels of every region (selected as in the comparison: fLOC t above the
threshold for category regions, every voxel for early visual ones) on the shared images that
every subject saw with every repetition, every read layer of every model (all units), and the
positive control (the noise-free simulated subject, whose regions play the layers: the
assignment should give each region its own counterpart and the pattern should match). Per
measure (RSA, predictivity): the region × region alignment, the held-out-subject stability of
each pattern, the layer assigned to each region on one half of the images and scored on the
other (RSA: the partial score and, beside it, the plain RDM correlation), the agreement's
chance level (Freedman-Lane permutation of the system's pattern over regions, judged at
`alignment_patterns.calibrated_alpha`), and the models ranked by conventional score and by
APA agreement with bootstrap rank intervals.
Writes results/analyses/alignment_patterns/ (brain_matrix.csv, stability.csv, layers.csv,
systems.csv, ranks.csv, summary.json).
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from analysis import config, paths
from analysis.analyses.alignment_patterns.analyse import alignment_tables
from analysis.analyses.alignment_patterns.params import OUTPUT, block
from analysis.analyses.encoding.params import block as encoding_block
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, controls, selected
from analysis.nets.extraction import resolve_device
from analysis.responses import Responses
from analysis.stats.comparison import MIN_FEATURES, comparison_method
from analysis.vocabulary import POSITIVE_CONTROL


def _brains(params: config.Params) -> tuple[list[Responses], np.ndarray]:
    """Every subject's voxels of every region with at least MIN_FEATURES voxels, on the shared
    images where every loaded system has every repetition (their positions in the store)."""
    brains = [b for region in params.rois for b in selected.voxels(params, region)
              if b.n_channels >= MIN_FEATURES]
    complete = np.logical_and.reduce([~np.isnan(b.data).any(axis=(1, 2)) for b in brains])
    return [Responses(b.data[complete], b.stimuli[complete], b.channels, b.system)
            for b in brains], brains[0].stimuli[complete]


def _systems(params: config.Params, stimuli: np.ndarray) -> list[tuple[dict, Responses]]:
    """(row descriptor, responses) of every model layer and of the positive control's
    regions."""
    out = []
    for model in params.models:
        entry = params.zoo[model]
        for layer in entry.layers_to_read():
            assert entry.preprocessing is not None  # config: every model in `models` has one
            r = activation_store.layer_responses(model, paths.NSD_SHARED_SET, layer,
                                                 entry.preprocessing).on(stimuli)
            live = r.data[:, :, 0].std(axis=0) > 0
            if live.sum() >= MIN_FEATURES:
                out.append(({"kind": "model", "system": model, "layer": layer,
                             "trained": entry.trained}, r.take(live)))
    for region in params.rois:
        ctrl = controls.positive(region, params.roi_definitions[region].contrast,
                                 params.threshold, stimuli=stimuli)
        if ctrl is not None and ctrl.n_channels >= MIN_FEATURES:
            out.append(({"kind": "control", "system": POSITIVE_CONTROL, "layer": region,
                         "trained": True}, ctrl))
    return out


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    device = str(resolve_device(params.extraction.device))
    # thousands of small (images x images) problems: one thread each is ~3x faster than
    # several competing for them (measured on 2 cores; the results are identical)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            _write(params, device)
    finally:
        torch.set_num_threads(threads)


def _write(params: config.Params, device: str) -> None:
    brains, stimuli = _brains(params)
    tables, summary = alignment_tables(brains, _systems(params, stimuli), stimuli,
                                       list(params.rois), block(params),
                                       comparison_method(params.comparison),
                                       encoding_block(params).relative_alphas, device)
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        for name, table in tables.items():
            write_csv(table, tmp / f"{name}.csv")
        write_json(summary, tmp / "summary.json")
