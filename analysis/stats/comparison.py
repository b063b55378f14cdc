"""Human-human and human-network similarity of category-selective response profiles.

Inputs are :class:`~analysis.responses.Responses` over the same shared images: each subject's
selected voxels (with repetitions) and each network's selected units. Every function takes
``idx``, the positions of the images to use (a bootstrap sample or a cross-validation half;
duplicates allowed), so the same code gives point estimates, bootstrap distributions and
held-out scores. Profiles are computed once per system and image sample and then paired.

**Noise correction.** A pair's similarity r is attenuated by measurement noise by the square
root of the profiles' reliabilities, its *norm* sqrt(rel_x rel_y) (a network's reliability is
1). A pair's corrected similarity is r / norm (``r_corrected``, shown per pair). A group's
corrected similarity (all human-human pairs; a model's human-network pairs) is the ratio of
means sum(r) / sum(norm) over its pairs (:func:`group_means`): every subject counts, weighted by
its reliability, and no profile is divided by its own small, noisy reliability. Per-pair
corrections averaged instead are biased upward by the sampling error of the reliabilities
(1 / sqrt(rel) is convex), twice as much for human-human pairs (two estimated reliabilities) as
for human-network pairs (one); a floor that drops unreliable profiles keeps those whose
reliability happened to be overestimated and can flip the bias's sign. The ratio of means
leaves a small-sample bias of order 1 / n_images, estimated and removed by the inference
(analysis.stats.gap_inference). Estimated reliabilities are used as they are (a negative one
counts as 0 in a norm); only an undefined one (NaN) leaves the profile out of that measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from analysis.methods.missing import mean_observed
from analysis.methods.profiles import (
    crossval_others,
    crossval_rdms,
    pair_positions,
    rdm,
    sq_euclidean_rdm,
    standardized_channels,
    univariate_reps,
    univariate_units_sample,
)
from analysis.methods.reliability import (
    crossval_rdm_reliability,
    rdm_reliability_from,
    split_half_sb,
)
from analysis.methods.similarity import pearson, rdm_similarity
from analysis.responses import Responses, SystemId, as_network
from analysis.vocabulary import POOLED_TRAINED, POOLED_UNTRAINED

MEASURES = ("univariate", "multivariate")
MIN_FEATURES = 3  # fewer selected voxels/units than this give no profile
#: RDM distances (analysis.methods.profiles): the unbiased default and the paper's.
RDM_DISTANCES = ("crossval_euclidean", "correlation")


@dataclass(frozen=True)
class Method:
    """How profiles are compared (params ``comparison``): the RDM ``distance``
    (RDM_DISTANCES) and the correlation of two RDMs (``similarity``: pearson or spearman)."""

    distance: str = "crossval_euclidean"
    similarity: str = "pearson"

    def __post_init__(self) -> None:
        if self.distance not in RDM_DISTANCES:
            raise ValueError(f"RDM distance must be one of {RDM_DISTANCES}, "
                             f"got {self.distance!r}")


@dataclass(frozen=True)
class Profile:
    """One system's profiles on an image sample: values per measure and their reliability
    (as estimated; NaN where undefined; 1 for a noiseless system)."""

    univariate: np.ndarray
    multivariate: np.ndarray
    rel_univariate: float
    rel_multivariate: float

    def values(self, measure: str) -> np.ndarray:
        return self.univariate if measure == "univariate" else self.multivariate

    def reliability(self, measure: str) -> float:
        return self.rel_univariate if measure == "univariate" else self.rel_multivariate


@dataclass(frozen=True, eq=False)
class Prepared:
    """A system's responses reduced, once, to what its profiles on any image sample need.

    univariate: brains (n_img, n_rep), the mean over voxels per repetition; networks
    (n_img, n_units), the standardized activations (units are z-scored again over each sample).
    rdm: the condensed RDM over all images with ``distance`` (a network's from its standardized
    units, :func:`analysis.methods.profiles.standardized_channels`); rdm_single / rdm_others
    (brains): the RDM of each repetition and of the other repetitions (correlation distance: of
    their mean; cross-validated: from their pairs), for the RDM reliability.
    """

    system: SystemId
    n_img: int
    univariate: np.ndarray
    rdm: np.ndarray
    method: Method
    rdm_single: tuple[np.ndarray, ...] = ()
    rdm_others: tuple[np.ndarray, ...] = ()
    univariate_sq: np.ndarray | None = None  # networks: univariate squared, for z-scoring


def comparison_method(block: Any) -> Method:
    """The Method of a params ``comparison`` block (config.Comparison)."""
    return Method(block.rdm_distance, block.rdm_similarity)


def prepare(r: Responses, method: Method = Method()) -> Prepared | None:
    """Precompute a system's profiles with the method's RDM distance; None with fewer than
    MIN_FEATURES (non-constant, for a noiseless system) channels."""
    if r.n_channels < MIN_FEATURES:
        return None
    if r.system.noiseless:
        acts = standardized_channels(r.mean())
        if acts.shape[1] < MIN_FEATURES:
            return None
        d = sq_euclidean_rdm(acts) if method.distance == "crossval_euclidean" else rdm(acts)
        return Prepared(r.system, r.n_stimuli, acts, d, method, univariate_sq=acts**2)
    data = r.data
    if method.distance == "crossval_euclidean":
        d, pairs, singles = crossval_rdms(data)
        others = crossval_others(pairs, r.n_reps)
    else:
        singles = [rdm(data[:, :, k]) for k in range(r.n_reps)]
        others = [rdm(mean_observed(np.delete(data, k, axis=2), axis=2))
                  for k in range(r.n_reps)]
        d = rdm(np.nanmean(data, axis=2))
    return Prepared(r.system, r.n_stimuli, univariate_reps(data), d, method,
                    tuple(singles), tuple(others))


def profile(p: Prepared, idx: np.ndarray, pos: np.ndarray | None = None) -> Profile:
    """The profile of a prepared system on images ``idx`` (positions; duplicates allowed;
    ``pos``: their RDM pair positions, profiles.pair_positions, when already computed)."""
    pos = pair_positions(idx, p.n_img) if pos is None else pos
    if p.system.noiseless:
        assert p.univariate_sq is not None  # prepare sets it for every noiseless system
        return Profile(univariate_units_sample(p.univariate, p.univariate_sq, idx), p.rdm[pos],
                       1.0, 1.0)
    uni = p.univariate[idx]
    singles, others = [s[pos] for s in p.rdm_single], [o[pos] for o in p.rdm_others]
    rel = (crossval_rdm_reliability(singles, others, p.rdm[pos])
           if p.method.distance == "crossval_euclidean"
           else rdm_reliability_from(singles, others))
    return Profile(np.nanmean(uni, axis=1), p.rdm[pos], split_half_sb(uni), rel)


def prepare_all(systems: list[Responses], method: Method = Method()) -> list[Prepared]:
    """Every system that has a profile (enough channels), in the given order."""
    return [p for p in (prepare(r, method) for r in systems) if p is not None]


def profiles(prepared: list[Prepared], idx: np.ndarray, pos: np.ndarray | None = None
             ) -> list[tuple[SystemId, Profile]]:
    """(identity, profile on images ``idx``) of every prepared system."""
    if prepared and pos is None:
        pos = pair_positions(idx, prepared[0].n_img)
    return [(p.system, profile(p, idx, pos)) for p in prepared]


def norm(rel_x: float, rel_y: float = 1.0) -> float:
    """The attenuation of a pair's similarity by noise, sqrt(rel_x rel_y), each reliability
    clipped at 0 (sampling error can make an estimate negative); NaN if one is undefined."""
    if not (np.isfinite(rel_x) and np.isfinite(rel_y)):
        return float("nan")
    return float(np.sqrt(max(rel_x, 0.0) * max(rel_y, 0.0)))


def similarity(x: Profile, y: Profile, measure: str, method: Method = Method()
               ) -> tuple[float, float, float]:
    """(r, norm, noise-corrected r = r / norm) of two profiles for one measure; the corrected
    value is NaN where the norm is 0 or undefined."""
    if measure == "univariate":
        r = pearson(x.univariate, y.univariate)
    else:
        r = rdm_similarity(x.multivariate, y.multivariate, method.similarity)
    n = norm(x.reliability(measure), y.reliability(measure))
    return r, n, r / n if n > 0 else float("nan")


def _row(kind: str, a: SystemId, b: SystemId, measure: str, r: float, n: float,
         rc: float) -> dict:
    return {"kind": kind, **{f"a_{k}": v for k, v in a.fields().items()},
            **{f"b_{k}": v for k, v in b.fields().items()},
            "measure": measure, "r": r, "norm": n, "r_corrected": rc}


def pair_table(brains: list[tuple[SystemId, Profile]], nets: list[tuple[SystemId, Profile]],
               method: Method = Method(), hh: bool = True,
               measures: tuple[str, ...] = MEASURES) -> pd.DataFrame:
    """Every human-human pair (if ``hh``) and human-network pair of the given profiles.

    Columns: kind (hh|hn), a_<field> of the brain, b_<field> of the other system (its identity
    fields: subject and region, or model, layer, trained and units), measure, r, norm (the
    pair's sqrt(rel_a rel_b)), r_corrected (r / norm). Pairs of a system with itself (a subject
    drawn twice by the bootstrap) are skipped.
    """
    rows = []
    for measure in measures:
        if hh:
            for (s, ps), (t, pt) in combinations(brains, 2):
                if s != t:
                    rows.append(_row("hh", s, t, measure, *similarity(ps, pt, measure,
                                                                      method)))
        for s, ps in brains:
            for m, pm in nets:
                rows.append(_row("hn", s, m, measure, *similarity(ps, pm, measure, method)))
    return _typed(pd.DataFrame(rows, columns=_columns(brains, nets, hh)), rows)


def _columns(brains: list, nets: list, hh: bool) -> list[str]:
    a = [f"a_{k}" for k in (brains[0][0].fields() if brains else {})]
    others = (brains if hh else []) + nets
    b = list(dict.fromkeys([f"b_{k}" for s, _ in others for k in s.fields()]))
    return ["kind", *a, *b, "measure", "r", "norm", "r_corrected"]


def _typed(table: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """Subject numbers stay integers where some rows have none (nullable Int64)."""
    for c in ("a_subject", "b_subject"):
        values = [r[c] for r in rows if r.get(c) is not None]
        if values and all(isinstance(v, (int, np.integer)) for v in values):
            table[c] = pd.array([r.get(c) for r in rows], dtype="Int64")
    return table


def similarities(brains: list[Responses], nets: list[Responses], idx: np.ndarray,
                 method: Method = Method()) -> pd.DataFrame:
    """Every human-human pair and human-network pair on images ``idx`` (see pair_table).

    Systems without a profile (too few selected voxels/units) are left out.
    """
    return pair_table(profiles(prepare_all(brains, method), idx),
                      profiles(prepare_all(nets, method), idx), method)


def network_groups(nets: Sequence[SystemId]) -> dict[str, tuple[str, ...]]:
    """The networks each human-network summary covers: every model on its own (keyed by its
    name), then the trained models pooled (POOLED_TRAINED) and the untrained ones pooled
    (POOLED_UNTRAINED) where there are any. Trained and untrained networks are never pooled
    together: the paper's claim is about trained networks, untrained ones are its baseline."""
    networks = [as_network(n) for n in nets]
    groups: dict[str, tuple[str, ...]] = {n.model: (n.model,) for n in networks}
    for key, trained in ((POOLED_TRAINED, True), (POOLED_UNTRAINED, False)):
        models = tuple(dict.fromkeys(n.model for n in networks if n.trained == trained))
        if models:
            groups[key] = models
    return groups


def restrict(sim: pd.DataFrame, models: Sequence[str]) -> pd.DataFrame:
    """A pair table's HH rows and the HN rows of the given models."""
    keep = sim["kind"] == "hh"
    if "b_model" in sim.columns:
        keep |= sim["b_model"].isin(list(models))
    return sim[keep]


def ratio_of_means(r: pd.Series | np.ndarray, n: pd.Series | np.ndarray) -> float:
    """sum(r) / sum(norm) over the pairs with both finite; NaN without a positive sum of norms
    (the noise-corrected similarity of a group of pairs, see the module docstring)."""
    r, n = np.asarray(r, dtype=np.float64), np.asarray(n, dtype=np.float64)
    ok = np.isfinite(r) & np.isfinite(n)
    den = float(n[ok].sum())
    return float(r[ok].sum() / den) if den > 0 else float("nan")


def group_means(sim: pd.DataFrame) -> tuple[dict[str, float], pd.DataFrame]:
    """Noise-corrected mean HH per measure, and mean HN per measure (rows) and model
    (columns), each the ratio of means of its pairs (:func:`ratio_of_means`)."""
    hh = {m: ratio_of_means(*_columns_of(sim[(sim["kind"] == "hh") & (sim["measure"] == m)]))
          for m in MEASURES}
    hn = sim[sim["kind"] == "hn"]
    if hn.empty:
        return hh, pd.DataFrame(index=pd.Index([], name="measure"))
    by_model = {(m, model): ratio_of_means(*_columns_of(g))
                for (m, model), g in hn.groupby(["measure", "b_model"], sort=True)}
    table = pd.Series(by_model).unstack()
    table.index.name, table.columns.name = "measure", "b_model"
    return hh, table


def _columns_of(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return pairs["r"].to_numpy(np.float64), pairs["norm"].to_numpy(np.float64)


def gap(sim: pd.DataFrame) -> dict[str, float]:
    """Corrected HH minus corrected HN per measure (:func:`group_means`); HN is the mean over
    models of each model's value (models weigh equally whatever their number of pairs)."""
    hh, by_model = group_means(sim)
    out = {}
    for m in MEASURES:
        hn = by_model.loc[m].dropna() if m in by_model.index else pd.Series(dtype=float)
        out[m] = float(hh[m] - hn.mean()) if len(hn) else float("nan")
    return out
