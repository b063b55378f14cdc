"""Reverse predictivity (Muzellec & Kar): how well a region's voxels predict each network unit,
against how well the units predict the voxels (forward) and how well one subject's voxels
predict another's (the biological reference, both directions).

Per trained network, main region (FFA, EBA, PPA) and subject (compute.py says how). Targets:
the category's selective units and the layer's other units (a random sample of up to
``units_sample`` of each). The share of common (unique) units is compared between selective
and other units (subjects as the unit of inference), and the Spearman correlation over
subjects of the common share of selective units with the subjects' median voxel reliability
is reported with the share's range (near 0 for a rule that does not depend on the subject's
noise level; measurement noise still pulls a noisy subject's selective share towards the base
rate, and units without a measurable reliability are neither common nor unique). Controls:
the noise-free simulated subject's voxels as the "units" (positive: forward − reverse must be
equivalent to 0 within ``equivalence_margin``, judged by its ``comparison.equivalence_level``
t-interval over subjects as the comparison's controls are) and the network with its images
shuffled (negative; EV near 0). Writes results/analyses/reverse_predictivity/ (subjects.csv,
pairs.csv, units.csv, excluded.csv, summary.json).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis import config, seeds
from analysis.analyses.encoding.params import block as encoding_block
from analysis.analyses.reverse_predictivity.compute import (
    PAIR_COLUMNS,
    SUBJECT_COLUMNS,
    UNIT_COLUMNS,
    Fit,
    Tables,
    Targets,
    aligned_brains,
    region_tables,
)
from analysis.analyses.reverse_predictivity.params import OUTPUT, block
from analysis.analyses.reverse_predictivity.summary import summary
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, controls, selected
from analysis.nets.extraction import resolve_device
from analysis.paths import NSD_SHARED_SET
from analysis.vocabulary import POSITIVE_CONTROL


def _units(params: config.Params, model: str, category: str, stimuli: np.ndarray) -> Targets:
    """A network's units on ``stimuli``: a random sample of up to ``units_sample`` selective
    units and as many other units (units that never vary are left out)."""
    rp = block(params)
    entry = params.zoo[model]
    layer = params.layer(model, category)
    assert entry.preprocessing is not None  # config: every model in `models` has one
    r = activation_store.layer_responses(model, NSD_SHARED_SET, layer, entry.preprocessing)
    acts = r.on(stimuli).mean()
    sel = selected.unit_mask(params, model, layer, category)
    live = acts.std(axis=0) > 0
    rng = seeds.stream(rp.seed, "units", model, category)
    picked = [np.sort(rng.choice(group, min(len(group), rp.units_sample), replace=False))
              for group in (np.flatnonzero(live & sel), np.flatnonzero(live & ~sel))]
    targets = np.concatenate(picked)
    return Targets(acts, targets, sel[targets])


def _systems(params: config.Params, region: str, category: str, stimuli: np.ndarray
             ) -> dict[str, Targets]:
    """The trained networks and the positive control (every varying voxel of the noise-free
    subject a target) on ``stimuli``."""
    systems = {m: _units(params, m, category, stimuli) for m in params.trained_models()}
    ctrl = controls.positive(region, params.roi_definitions[region].contrast,
                             params.threshold, stimuli=stimuli)  # None: lacks an image
    if ctrl is not None:
        acts = ctrl.mean()
        live = acts.std(0) > 0
        systems[POSITIVE_CONTROL] = Targets(acts, np.flatnonzero(live),
                                                  np.zeros(int(live.sum()), bool), True)
    return systems


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    rp = block(params)
    fit = Fit(encoding_block(params).relative_alphas, rp.min_reliability,
              str(resolve_device(params.extraction.device)))
    tables, excluded = Tables([], [], []), []
    for category in params.categories:
        region = params.main_region(category)
        if region is None:
            continue
        brains = [b for b in selected.voxels(params, region) if b.n_channels >= 2]
        if len(brains) < 2:  # no subject-to-subject reference
            excluded.append({"region": region, "reason": f"fewer than 2 subjects have >= 2 "
                             f"selected voxels at threshold {params.threshold}"})
            continue
        brains = aligned_brains(brains)
        t = region_tables(region, category, brains,
                          _systems(params, region, category, brains[0].stimuli), rp, fit)
        tables.subjects += t.subjects
        tables.pairs += t.pairs
        tables.units += t.units
    subjects = pd.DataFrame(tables.subjects, columns=SUBJECT_COLUMNS)
    pairs = pd.DataFrame(tables.pairs, columns=PAIR_COLUMNS)
    units = (pd.concat(tables.units, ignore_index=True) if tables.units
             else pd.DataFrame(columns=UNIT_COLUMNS))
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        write_csv(subjects, tmp / "subjects.csv")
        write_csv(pairs, tmp / "pairs.csv")
        write_csv(units, tmp / "units.csv")
        write_csv(pd.DataFrame(excluded, columns=["region", "reason"]), tmp / "excluded.csv")
        write_json(summary(subjects, pairs, rp, params.trained_models(),
                           params.comparison.equivalence_level)
                   | {"excluded": len(excluded)}, tmp / "summary.json")
