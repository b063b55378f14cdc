"""Unit localizer statistics (data/units/<model>.h5, written by the localize-units stage) and
the one lookup of "the selected units of model/layer/category".

Layout: ``<layer>/t/<localizer>/<category>`` (n_units,) float32 Welch t of the category against
the set's other domains; ``<layer>/conjunction/<category>`` (n_units,) bool, the pairwise-
conjunction localizer on fLoc. Selection at a threshold is computed on demand with
:func:`analysis.selection.above`, so the file does not depend on the threshold.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from analysis import paths
from analysis.errors import InputError
from analysis.io import activation_store
from analysis.responses import Responses, Selection
from analysis.selection import above


def write(path: Path, t: dict[str, dict[str, dict[str, np.ndarray]]],
          conjunction: dict[str, dict[str, np.ndarray]]) -> None:
    """t: layer -> localizer -> category -> (n_units,); conjunction: layer -> category -> mask."""
    with h5py.File(path, "w") as f:
        for lay, by_loc in t.items():
            for loc, by_cat in by_loc.items():
                for cat, v in by_cat.items():
                    f.create_dataset(f"{lay}/t/{loc}/{cat}", data=v.astype(np.float32),
                                     track_times=False)
            for cat, m in conjunction[lay].items():
                f.create_dataset(f"{lay}/conjunction/{cat}", data=m, track_times=False)


def _read(model: str, key: str, root: Path) -> np.ndarray:
    path = root / f"{model}.h5"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro localize-units`")
    with h5py.File(path, "r") as f:
        if key not in f:
            raise InputError(f"{path} has no {key}: the layer was not extracted for {model} "
                             f"(add it to zoo.{model}.read) or the category is not a domain of "
                             "the localizer set; rerun localize-units")
        return f[key][()]


def t_values(model: str, layer: str, localizer: str, category: str,
             root: Path = paths.UNIT_STATS) -> np.ndarray:
    """(n_units,) localizer t of ``category`` (NaN for constant units)."""
    return _read(model, f"{layer}/t/{localizer}/{category}", root)


def conjunction(model: str, layer: str, category: str, root: Path = paths.UNIT_STATS
                ) -> np.ndarray:
    """(n_units,) bool: the pairwise-conjunction localizer's units."""
    return _read(model, f"{layer}/conjunction/{category}", root)


def selected(model: str, layer: str, selection: Selection, root: Path = paths.UNIT_STATS
             ) -> np.ndarray:
    """(n_units,) bool: the units of ``layer`` whose ``selection.localizer`` t for
    ``selection.category`` exceeds ``selection.threshold`` (analysis.selection.above, the rule
    voxels are selected by). Every analysis selects units through this function."""
    assert selection.localizer is not None and selection.category is not None \
        and selection.threshold is not None, selection  # a thresholded selection
    t = t_values(model, layer, selection.localizer, selection.category, root)
    return above(t, selection.threshold)


def selected_units(model: str, layer: str, stim_set: str, preprocessing: str,
                   selection: Selection, units_root: Path = paths.UNIT_STATS,
                   activations_root: Path = paths.ACTIVATIONS) -> Responses:
    """The units of ``layer`` that ``selection`` picks (:func:`selected`), responding to
    ``stim_set``."""
    mask = selected(model, layer, selection, units_root)
    r = activation_store.layer_responses(model, stim_set, layer, preprocessing, selection,
                                         activations_root)
    return r.take(mask)
