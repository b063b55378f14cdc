"""The pairwise similarity matrix over all subjects and networks, and its MDS embedding."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.manifold import MDS

from analysis.comparison import Profile
from analysis.similarity import corrected, pearson, rdm_similarity


def similarity_matrix(profiles: dict[str, Profile], measure: str, rdm_method: str = "pearson"
                      ) -> pd.DataFrame:
    """Noise-corrected similarity between every pair of systems (diagonal 1)."""
    names = list(profiles)
    m = np.eye(len(names))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            pa, pb = profiles[a], profiles[names[j]]
            if measure == "univariate":
                r = corrected(pearson(pa.univariate, pb.univariate), pa.rel_univariate,
                              pb.rel_univariate)
            else:
                r = corrected(rdm_similarity(pa.multivariate, pb.multivariate, rdm_method),
                              pa.rel_multivariate, pb.rel_multivariate)
            m[i, j] = m[j, i] = r
    return pd.DataFrame(m, index=names, columns=names)


def mds(sim: pd.DataFrame, seed: int) -> pd.DataFrame:
    """2-D metric MDS of the dissimilarity 1 - r (clipped at 0; NaN rows dropped)."""
    ok = ~sim.isna().any(axis=1)
    s = sim.loc[ok, ok]
    d = np.clip(1 - s.to_numpy(), 0, None)
    np.fill_diagonal(d, 0)
    xy = MDS(n_components=2, metric="precomputed", metric_mds=True, init="random", n_init=4,
             random_state=seed).fit_transform(d)
    return pd.DataFrame({"system": s.index, "x": xy[:, 0], "y": xy[:, 1]})
