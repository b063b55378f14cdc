"""Load the selected channels the analyses use: each subject's selected voxels of a region
(select-voxels' table) and a network's selected units of a category (unit t > threshold, the
threshold of trained or untrained networks: :func:`unit_selection`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.errors import InputError
from analysis.io import brain_store, unit_store
from analysis.responses import Responses, Selection


def voxels(params: config.Params, region: str) -> list[Responses]:
    """Each subject's selected voxels of a region on the shared images, ordered by subject."""
    path = paths.SELECTED_VOXELS / "voxels.csv"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro select-voxels`")
    table = pd.read_csv(path)
    contrast = params.roi_definitions[region].contrast
    sel = Selection("fLOC", contrast, params.threshold if contrast else None)
    return [brain_store.responses(s, region, table[(table["subject"] == s) &
                                                   (table["roi"] == region)]["voxel"], sel)
            for s in params.subjects]


def unit_selection(params: config.Params, model: str, category: str) -> Selection:
    """The fLoc selection of a network's ``category`` units: t above `threshold`, or above
    `unit_localizer.threshold_untrained` for an untrained network."""
    return Selection("floc", category, params.unit_threshold(params.zoo[model].trained))


def unit_mask(params: config.Params, model: str, layer: str, category: str) -> np.ndarray:
    """(n_units,) bool: the layer's units :func:`unit_selection` picks."""
    return unit_store.selected(model, layer, unit_selection(params, model, category))


def units(params: config.Params, model: str, layer: str, category: str) -> Responses:
    """A network's selected units of a category in a layer (:func:`unit_selection`), on the
    shared NSD images."""
    entry = params.zoo[model]
    assert entry.preprocessing is not None  # config: every model in `models` has one
    return unit_store.selected_units(model, layer, paths.NSD_SHARED_SET, entry.preprocessing,
                                     unit_selection(params, model, category))
