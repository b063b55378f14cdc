"""Cross-validated choice of each network's layer (Findings 2-3, "cv" layer choice).

The images are split into two random halves. On one half, each network's layer with the highest
mean noise-corrected human-network similarity (per measure) is chosen; on the other half the
chosen layer is scored. Both directions are run and the held-out similarities averaged, so no
image both chooses and scores a layer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.responses import Responses
from analysis.stats.comparison import (
    MEASURES,
    Method,
    pair_table,
    prepare,
    prepare_all,
    profile,
    profiles,
    ratio_of_means,
)


def halves(n_img: int, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two folds (choose, evaluate) from one random split of ``n_img`` images into halves."""
    perm = rng.permutation(n_img)
    a, b = np.sort(perm[: n_img // 2]), np.sort(perm[n_img // 2:])
    return [(a, b), (b, a)]


def _score(table: pd.DataFrame) -> float:
    """Corrected HN similarity of the pairs (ratio of means, as the comparison's; -inf when no
    pair could be formed or none has a value)."""
    v = ratio_of_means(table["r"], table["norm"]) if len(table) else -np.inf
    return float(np.nan_to_num(v, nan=-np.inf, neginf=-np.inf))


def cross_validated(brains: list[Responses], nets: dict[str, dict[str, Responses]],
                    folds: list[tuple[np.ndarray, np.ndarray]], method: Method = Method()
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Held-out similarities and chosen layers.

    brains: each subject's selected voxels; nets: model -> layer -> selected units. Returns
    the held-out pair table (HH and HN, r, norm and r_corrected averaged over the two folds;
    HN rows name the model, not a layer) and the chosen layer per fold, model and measure (ties
    go to the later layer name).
    """
    held_out, chosen = [], []
    b_prepared = prepare_all(brains, method)
    n_prepared = {m: {lay: prepare(r, method) for lay, r in layers.items()}
                  for m, layers in nets.items()}
    for fold, (choose, evaluate) in enumerate(folds):
        b_choose, b_eval = profiles(b_prepared, choose), profiles(b_prepared, evaluate)
        for model, layers in n_prepared.items():
            scored = {lay: pair_table(b_choose, [(p.system, profile(p, choose))] if p else [],
                                      method, hh=False)
                      for lay, p in layers.items()}
            for measure in MEASURES:
                score = {lay: _score(t[t["measure"] == measure]) for lay, t in scored.items()}
                best = max(score, key=lambda k: (score[k], k))
                chosen.append({"fold": fold, "model": model, "measure": measure, "layer": best})
                p = layers[best]
                if p is not None:
                    held_out.append(pair_table(b_eval, [(p.system, profile(p, evaluate))],
                                               method, hh=False, measures=(measure,)))
        held_out.append(pair_table(b_eval, [], method))
    tables = [t for t in held_out if len(t)]
    if not tables:  # fewer than two subjects and no network with a profile: no pair at all
        tables = [pair_table([], [], method)]
    table = pd.concat(tables, ignore_index=True).drop(columns="b_layer", errors="ignore")
    values = ["r", "norm", "r_corrected"]
    keys = [c for c in table.columns if c not in values]
    table = table.groupby(keys, dropna=False, sort=False, as_index=False)[values].mean()
    return table, pd.DataFrame(chosen)
