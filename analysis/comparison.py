"""Human-human and human-network similarity of category-selective response profiles.

Inputs are arrays over the same shared images: for each subject the z-scored responses of its
selected voxels, (n_vox, n_img, n_rep); for each network the activations of its selected
units, (n_img, n_units). Every function takes ``idx``, the images to use (a bootstrap sample or
a cross-validation half; duplicates allowed), so the same code gives point estimates,
bootstrap distributions and held-out scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from analysis.profiles import pair_mask, rdm, univariate_reps, univariate_units
from analysis.reliability import rdm_reliability, split_half_sb
from analysis.similarity import corrected, pearson, rdm_similarity

MEASURES = ("univariate", "multivariate")
MIN_FEATURES = 3  # fewer selected voxels/units than this give no profile


@dataclass(frozen=True)
class Profile:
    """One system's profiles on an image sample: values per measure and their reliability."""

    univariate: np.ndarray
    multivariate: np.ndarray
    rel_univariate: float
    rel_multivariate: float


def brain_profile(patterns: np.ndarray, idx: np.ndarray) -> Profile | None:
    """Profiles of a subject's selected voxels on images ``idx`` (None if too few voxels)."""
    if patterns.shape[0] < MIN_FEATURES:
        return None
    p = patterns[:, idx, :]
    keep = pair_mask(idx)
    uni = univariate_reps(p)
    return Profile(np.nanmean(uni, axis=1), rdm(np.nanmean(p, axis=2))[keep],
                   split_half_sb(uni), rdm_reliability(p, lambda x: rdm(x)[keep]))


def network_profile(acts: np.ndarray, idx: np.ndarray) -> Profile | None:
    """Profiles of a network's selected units (noiseless: reliability 1)."""
    if acts.shape[1] < MIN_FEATURES:
        return None
    a = acts[idx]
    return Profile(univariate_units(a), rdm(a.T)[pair_mask(idx)], 1.0, 1.0)


def _similarity(x: Profile, y: Profile, measure: str, rdm_method: str) -> tuple[float, float]:
    if measure == "univariate":
        r = pearson(x.univariate, y.univariate)
        return r, corrected(r, x.rel_univariate, y.rel_univariate)
    r = rdm_similarity(x.multivariate, y.multivariate, rdm_method)
    return r, corrected(r, x.rel_multivariate, y.rel_multivariate)


def similarities(brains: dict[int, np.ndarray], nets: dict[str, np.ndarray], idx: np.ndarray,
                 rdm_method: str = "pearson") -> pd.DataFrame:
    """Every human-human pair and human-network pair on images ``idx``.

    Columns: kind (hh|hn), a (subject), b (subject or model), measure, r, r_corrected.
    Systems without a profile (too few selected voxels/units) are left out.
    """
    bp = {s: brain_profile(p, idx) for s, p in brains.items()}
    bp = {s: p for s, p in bp.items() if p is not None}
    npf = {m: network_profile(a, idx) for m, a in nets.items()}
    npf = {m: p for m, p in npf.items() if p is not None}
    rows = []
    for measure in MEASURES:
        for s, t in combinations(sorted(bp), 2):
            r, rc = _similarity(bp[s], bp[t], measure, rdm_method)
            rows.append(("hh", s, str(t), measure, r, rc))
        for s in sorted(bp):
            for m in npf:
                r, rc = _similarity(bp[s], npf[m], measure, rdm_method)
                rows.append(("hn", s, m, measure, r, rc))
    return pd.DataFrame(rows, columns=["kind", "a", "b", "measure", "r", "r_corrected"])


def per_subject(sim: pd.DataFrame) -> pd.DataFrame:
    """Per subject and measure: mean corrected HH similarity with the other subjects and mean
    corrected HN similarity over networks. Columns: subject, measure, hh, hn."""
    hh = sim[sim["kind"] == "hh"]
    both = pd.concat([hh.assign(s=hh["a"]), hh.assign(s=hh["b"].astype(int))])
    h = both.groupby(["s", "measure"])["r_corrected"].mean().rename("hh")
    n = (sim[sim["kind"] == "hn"].groupby(["a", "measure"])["r_corrected"].mean()
         .rename("hn").rename_axis(["s", "measure"]))
    out = pd.concat([h, n], axis=1).reset_index().rename(columns={"s": "subject"})
    return out.dropna()


def gap(sim: pd.DataFrame) -> dict[str, float]:
    """Mean corrected HH minus mean corrected HN, per measure."""
    g = sim.groupby(["measure", "kind"])["r_corrected"].mean().unstack()
    return {m: float(g.loc[m, "hh"] - g.loc[m, "hn"]) if m in g.index and
            {"hh", "hn"} <= set(g.columns) else float("nan") for m in MEASURES}


def bootstrap_gap(brains: dict[int, np.ndarray], nets: dict[str, np.ndarray], n_img: int,
                  n_boot: int, seed: int, rdm_method: str = "pearson") -> pd.DataFrame:
    """Bootstrap over images and subjects: (n_boot, measures) of HH - HN gaps.

    Each replicate resamples images (RDM pairs of the same image are dropped) and subjects
    (pairs of a subject with its own copy are skipped), then recomputes profiles,
    reliabilities and corrected similarities.
    """
    rng = np.random.default_rng(seed)
    subjects = np.array(sorted(brains))
    rows = []
    for _ in range(n_boot):
        idx = np.sort(rng.integers(0, n_img, n_img))
        pick = rng.choice(subjects, len(subjects), replace=True)
        sim = similarities({k: brains[s] for k, s in enumerate(pick)}, nets, idx, rdm_method)
        origin = dict(enumerate(pick))
        hh = sim["kind"] == "hh"
        same = pd.Series(False, index=sim.index)
        same[hh] = (sim.loc[hh, "a"].map(origin).to_numpy()
                    == sim.loc[hh, "b"].astype(int).map(origin).to_numpy())
        rows.append(gap(sim[~same]))
    return pd.DataFrame(rows)
