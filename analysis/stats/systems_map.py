"""The pairwise similarity matrix over all subjects and networks, and its MDS embedding."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.manifold import MDS

from analysis.responses import SystemId
from analysis.stats.comparison import Method, Profile, similarity


def similarity_matrix(profiles: list[tuple[SystemId, Profile]], measure: str,
                      method: Method = Method()) -> pd.DataFrame:
    """Noise-corrected similarity between every pair of systems (diagonal 1), labelled by
    each system's display label."""
    names = [s.label() for s, _ in profiles]
    m = np.eye(len(names))
    for i, (_, pa) in enumerate(profiles):
        for j in range(i + 1, len(profiles)):
            m[i, j] = m[j, i] = similarity(pa, profiles[j][1], measure, method)[2]
    return pd.DataFrame(m, index=names, columns=names)


def mds(sim: pd.DataFrame, seed: int) -> pd.DataFrame:
    """2-D metric MDS of the dissimilarity 1 - r (clipped at 0). Systems with an undefined
    similarity (NaN: no reliable profile) are left out; with fewer than 3 systems left there is
    no map and the table is empty. Columns: system, x, y."""
    ok = ~sim.isna().any(axis=1)
    s = sim.loc[ok, ok]
    if len(s) < 3:
        return pd.DataFrame({"system": pd.Series(dtype=object), "x": pd.Series(dtype=float),
                             "y": pd.Series(dtype=float)})
    d = np.clip(1 - s.to_numpy(), 0, None)
    np.fill_diagonal(d, 0)
    xy = MDS(n_components=2, metric="precomputed", metric_mds=True, init="random", n_init=4,
             random_state=seed).fit_transform(d)
    return pd.DataFrame({"system": s.index, "x": xy[:, 0], "y": xy[:, 1]})
