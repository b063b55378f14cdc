"""Human-human and human-network similarity of category-selective response profiles.

Inputs are :class:`~analysis.responses.Responses` over the same shared images: each subject's
selected voxels (with repetitions) and each network's selected units. Every function takes
``idx``, the positions of the images to use (a bootstrap sample or a cross-validation half;
duplicates allowed), so the same code gives point estimates, bootstrap distributions and
held-out scores. Profiles are computed once per system and image sample and then paired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from analysis.responses import Responses, SystemId
from analysis.stats.missing import mean_observed
from analysis.stats.profiles import (
    crossval_others,
    crossval_rdms,
    pair_positions,
    rdm,
    sq_euclidean_rdm,
    univariate_reps,
    univariate_units_sample,
)
from analysis.stats.reliability import (
    crossval_rdm_reliability,
    rdm_reliability_from,
    split_half_sb,
)
from analysis.stats.similarity import corrected, pearson, rdm_similarity

MEASURES = ("univariate", "multivariate")
MIN_FEATURES = 3  # fewer selected voxels/units than this give no profile
#: RDM distances (analysis.stats.profiles): the unbiased default and the paper's.
RDM_DISTANCES = ("crossval_euclidean", "correlation")


@dataclass(frozen=True)
class Method:
    """How profiles are compared (params ``comparison``): the RDM ``distance``
    (RDM_DISTANCES), the correlation of two RDMs (``similarity``: pearson or spearman), and the
    reliability below which a brain's profile is not noise-corrected (``min_reliability``:
    the correction divides by the square root of the reliabilities, which turns sampling noise
    into large values as they approach 0; such profiles give no corrected similarity and are
    counted as excluded)."""

    distance: str = "crossval_euclidean"
    similarity: str = "pearson"
    min_reliability: float = 0.0

    def __post_init__(self) -> None:
        if self.distance not in RDM_DISTANCES:
            raise ValueError(f"RDM distance must be one of {RDM_DISTANCES}, "
                             f"got {self.distance!r}")


@dataclass(frozen=True)
class Profile:
    """One system's profiles on an image sample: values per measure and their reliability."""

    univariate: np.ndarray
    multivariate: np.ndarray
    rel_univariate: float
    rel_multivariate: float


@dataclass(frozen=True, eq=False)
class Prepared:
    """A system's responses reduced, once, to what its profiles on any image sample need.

    univariate: brains (n_img, n_rep), the mean over voxels per repetition; networks
    (n_img, n_units), the activations (units are z-scored over each sample). rdm: the condensed
    RDM over all images with ``distance``; rdm_single / rdm_others (brains): the RDM of each
    repetition and of the other repetitions (correlation distance: of their mean;
    cross-validated: from their pairs), for the RDM reliability.
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
    return Method(block.rdm_distance, block.rdm_similarity, block.min_reliability)


def prepare(r: Responses, method: Method = Method()) -> Prepared | None:
    """Precompute a system's profiles with the method's RDM distance; None with fewer than
    MIN_FEATURES channels."""
    if r.n_channels < MIN_FEATURES:
        return None
    if r.system.noiseless:
        acts = np.asarray(r.mean(), dtype=np.float64)
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
    ``pos``: their RDM pair positions, profiles.pair_positions, when already computed).
    A brain's reliability below the method's minimum is recorded as NaN (no correction)."""
    pos = pair_positions(idx, p.n_img) if pos is None else pos
    if p.system.noiseless:
        return Profile(univariate_units_sample(p.univariate, p.univariate_sq, idx), p.rdm[pos],
                       1.0, 1.0)
    uni = p.univariate[idx]
    singles, others = [s[pos] for s in p.rdm_single], [o[pos] for o in p.rdm_others]
    rel = (crossval_rdm_reliability(singles, others, p.rdm[pos])
           if p.method.distance == "crossval_euclidean"
           else rdm_reliability_from(singles, others))
    floor = p.method.min_reliability
    rel_uni = split_half_sb(uni)
    return Profile(np.nanmean(uni, axis=1), p.rdm[pos],
                   rel_uni if rel_uni >= floor else float("nan"),
                   rel if rel >= floor else float("nan"))


def prepare_all(systems: list[Responses], method: Method = Method()) -> list[Prepared]:
    """Every system that has a profile (enough channels), in the given order."""
    return [p for p in (prepare(r, method) for r in systems) if p is not None]


def profiles(prepared: list[Prepared], idx: np.ndarray, pos: np.ndarray | None = None
             ) -> list[tuple[SystemId, Profile]]:
    """(identity, profile on images ``idx``) of every prepared system."""
    if prepared and pos is None:
        pos = pair_positions(idx, prepared[0].n_img)
    return [(p.system, profile(p, idx, pos)) for p in prepared]


def similarity(x: Profile, y: Profile, measure: str, method: Method = Method()
               ) -> tuple[float, float]:
    """(r, noise-corrected r) of two profiles for one measure."""
    if measure == "univariate":
        r = pearson(x.univariate, y.univariate)
        return r, corrected(r, x.rel_univariate, y.rel_univariate)
    r = rdm_similarity(x.multivariate, y.multivariate, method.similarity)
    return r, corrected(r, x.rel_multivariate, y.rel_multivariate)


def _row(kind: str, a: SystemId, b: SystemId, measure: str, r: float, rc: float) -> dict:
    return {"kind": kind, **{f"a_{k}": v for k, v in a.fields().items()},
            **{f"b_{k}": v for k, v in b.fields().items()},
            "measure": measure, "r": r, "r_corrected": rc}


def pair_table(brains: list[tuple[SystemId, Profile]], nets: list[tuple[SystemId, Profile]],
               method: Method = Method(), hh: bool = True,
               measures: tuple[str, ...] = MEASURES) -> pd.DataFrame:
    """Every human-human pair (if ``hh``) and human-network pair of the given profiles.

    Columns: kind (hh|hn), a_<field> of the brain, b_<field> of the other system (its identity
    fields: subject and region, or model, layer, trained and units), measure, r, r_corrected.
    Pairs of a system with itself (a subject drawn twice by the bootstrap) are skipped.
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
    return ["kind", *a, *b, "measure", "r", "r_corrected"]


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


def per_subject(sim: pd.DataFrame) -> pd.DataFrame:
    """Per subject and measure: mean corrected HH similarity with the other subjects and mean
    corrected HN similarity over networks. Columns: subject, measure, hh, hn."""
    hh = sim[sim["kind"] == "hh"]
    both = pd.concat([hh.assign(s=hh["a_subject"]), hh.assign(s=hh["b_subject"])])
    h = both.groupby(["s", "measure"])["r_corrected"].mean().rename("hh")
    n = (sim[sim["kind"] == "hn"].groupby(["a_subject", "measure"])["r_corrected"].mean()
         .rename("hn").rename_axis(["s", "measure"]))
    out = pd.concat([h, n], axis=1).reset_index().rename(columns={"s": "subject"})
    return out.dropna()


POOLED_TRAINED = "pooled_trained"
POOLED_UNTRAINED = "pooled_untrained"


def network_groups(nets: Sequence[SystemId]) -> dict[str, tuple[str, ...]]:
    """The networks each human-network summary covers: every model on its own (keyed by its
    name), then the trained models pooled (POOLED_TRAINED) and the untrained ones pooled
    (POOLED_UNTRAINED) where there are any. Trained and untrained networks are never pooled
    together: the paper's claim is about trained networks, untrained ones are its baseline."""
    groups: dict[str, tuple[str, ...]] = {n.model: (n.model,) for n in nets}
    for key, trained in ((POOLED_TRAINED, True), (POOLED_UNTRAINED, False)):
        models = tuple(dict.fromkeys(n.model for n in nets if n.trained == trained))
        if models:
            groups[key] = models
    return groups


def restrict(sim: pd.DataFrame, models: Sequence[str]) -> pd.DataFrame:
    """A pair table's HH rows and the HN rows of the given models."""
    keep = sim["kind"] == "hh"
    if "b_model" in sim.columns:
        keep |= sim["b_model"].isin(list(models))
    return sim[keep]


def hn_by_model(sim: pd.DataFrame) -> pd.DataFrame:
    """Mean corrected HN similarity per measure (rows) and model (columns)."""
    hn = sim[sim["kind"] == "hn"]
    if hn.empty:
        return pd.DataFrame(index=pd.Index([], name="measure"))
    return hn.groupby(["measure", "b_model"])["r_corrected"].mean().unstack("b_model")


def gap(sim: pd.DataFrame, weights: pd.Series | None = None) -> dict[str, float]:
    """Mean corrected HH minus mean corrected HN, per measure.

    HN is the mean over models of each model's mean over subjects (models weigh equally
    whatever their number of pairs), weighted by ``weights`` (model -> count, e.g. the models a
    bootstrap replicate drew) when given. With one model it is the plain mean of its pairs.
    """
    hh = sim[sim["kind"] == "hh"].groupby("measure")["r_corrected"].mean()
    by_model = hn_by_model(sim)
    out = {}
    for m in MEASURES:
        if m not in hh.index or m not in by_model.index:
            out[m] = float("nan")
            continue
        per_model = by_model.loc[m].dropna()
        w = (weights.reindex(per_model.index).fillna(0) if weights is not None
             else pd.Series(1.0, index=per_model.index))
        hn = float(np.dot(per_model, w) / w.sum()) if w.sum() > 0 else float("nan")
        out[m] = float(hh[m] - hn)
    return out


@dataclass(frozen=True, eq=False)
class _BrainStack:
    """Prepared brains with complete data and the cross-validated distance, stacked so one
    replicate's profiles of every brain are a few array operations (the bootstrap's hot path);
    :func:`profile` gives the same values one brain at a time (tested).

    A bootstrap sample's RDM entries are the original image pairs (a, b), each repeated
    c_a * c_b times (c: how often each image was drawn), so sums over the sample's entries are
    weighted sums over the original pairs: one matrix-vector product with the weights."""

    univariate: np.ndarray  # (n_brains, n_img, n_rep)
    rdm: np.ndarray         # (n_brains, n_pairs)
    moments: np.ndarray     # (n_brains, 3 * n_rep + 2, n_pairs): s*o, s, o per rep; d, d^2
    n_rep: int
    floor: float


def _stack(prepared: list[Prepared | None]) -> _BrainStack | None:
    """The stack of the prepared brains, or None where it does not apply (a brain without a
    profile, a network, the correlation distance, missing repetitions or unequal shapes)."""
    if not prepared or any(p is None or p.system.noiseless or p.method.distance !=
                           "crossval_euclidean" for p in prepared):
        return None
    try:
        uni = np.stack([p.univariate for p in prepared])
        singles = np.stack([np.stack(p.rdm_single) for p in prepared])
        others = np.stack([np.stack(p.rdm_others) for p in prepared])
        d = np.stack([p.rdm for p in prepared])
    except ValueError:  # unequal shapes
        return None
    if any(np.isnan(x).any() for x in (uni, singles, others, d)) or uni.shape[2] < 2:
        return None
    moments = np.concatenate([singles * others, singles, others, d[:, None], d[:, None]**2], 1)
    return _BrainStack(uni, d, moments, uni.shape[2], prepared[0].method.min_reliability)


def _pair_weights(idx: np.ndarray, n_img: int) -> np.ndarray:
    """(n_pairs,) how often each original image pair (condensed order) is an entry of the
    sample ``idx``'s RDM (pairs of the same image dropped)."""
    c = np.bincount(idx, minlength=n_img).astype(np.float64)
    i, j = np.triu_indices(n_img, k=1)
    return c[i] * c[j]


def _stack_profiles(st: _BrainStack, idx: np.ndarray, pos: np.ndarray) -> list[Profile]:
    """Every stacked brain's :func:`profile` on images ``idx`` (RDM pair positions ``pos``)."""
    uni = np.swapaxes(st.univariate[:, idx, :], 1, 2)  # (n_brains, n_rep, n_img)
    uc = uni - uni.mean(2, keepdims=True)
    gram = np.einsum("kai,kbi->kab", uc, uc)  # per brain, (n_rep, n_rep) centred products
    rs = []
    for a, b in combinations(range(st.n_rep), 2):
        den = np.sqrt(gram[:, a, a] * gram[:, b, b])
        with np.errstate(invalid="ignore", divide="ignore"):
            rs.append(np.where(den > 0, gram[:, a, b] / den, np.nan))
    r1 = np.mean(rs, axis=0)
    rel_uni = st.n_rep * r1 / (1 + (st.n_rep - 1) * r1)
    w = _pair_weights(idx, st.univariate.shape[1])
    n = float(w.sum())
    if n < 3:
        rel = np.full(len(st.rdm), np.nan)
    else:
        m = st.moments @ w  # (n_brains, 3 * n_rep + 2) weighted sums
        r = st.n_rep
        so, s_, o_ = m[:, :r], m[:, r:2 * r], m[:, 2 * r:3 * r]
        v_true = ((so - s_ * o_ / n) / (n - 1)).mean(1)
        v_obs = (m[:, -1] - m[:, -2]**2 / n) / (n - 1)
        ok = (v_true > 0) & (v_obs > 0)
        rel = np.where(ok, v_true / np.where(ok, v_obs, 1.0), np.nan)
    mean = uni.mean(1)
    return [Profile(mean[k], st.rdm[k, pos], float(rel_uni[k]) if rel_uni[k] >= st.floor
                    else np.nan, float(rel[k]) if rel[k] >= st.floor else np.nan)
            for k in range(len(st.rdm))]


def bootstrap_gap(brains: list[Responses], nets: list[Responses], n_img: int, n_boot: int,
                  rng: np.random.Generator, method: Method = Method(),
                  model_rng: np.random.Generator | None = None) -> dict[str, pd.DataFrame]:
    """Bootstrap over images, subjects and (for pooled groups) models: per network group of
    :func:`network_groups`, an (n_boot, measures) table of HH - HN gaps.

    Each replicate resamples images (RDM pairs of the same image are dropped) and subjects
    (pairs of a subject with its own copy are skipped), recomputes profiles, reliabilities and
    corrected similarities, then resamples the models of each pooled group with replacement
    (models as a random effect: the interval covers other models of the same kind).
    ``brains`` are ordered by subject. Models are drawn from ``model_rng`` (default: a child
    of ``rng``), so adding a model leaves the image and subject draws as they were.
    """
    model_rng = model_rng if model_rng is not None else rng.spawn(1)[0]
    groups = network_groups([n.system for n in nets])
    rows: dict[str, list[dict]] = {g: [] for g in groups}
    prepared = [prepare(b, method) for b in brains]
    stack = _stack(prepared)
    nets_prepared = prepare_all(nets, method)
    for _ in range(n_boot):
        idx = np.sort(rng.integers(0, n_img, n_img))
        pick = rng.choice(len(brains), len(brains), replace=True)
        pos = pair_positions(idx, n_img)
        if stack is not None:
            every = _stack_profiles(stack, idx, pos)
            once = {k: every[k] for k in np.unique(pick)}
        else:
            once = {k: profile(prepared[k], idx, pos) for k in np.unique(pick)
                    if prepared[k] is not None}
        counts = np.bincount([k for k in pick if k in once], minlength=len(brains))
        drawn = [(brains[k].system, once[k], int(counts[k])) for k in sorted(once)]
        hh, hn = _replicate_means(drawn, profiles(nets_prepared, idx, pos), method)
        for g, models in groups.items():
            draw = (model_rng.choice(len(models), len(models), replace=True)
                    if len(models) > 1 else [0])
            counts = np.bincount(draw, minlength=len(models))
            rows[g].append({m: hh[m] - _weighted_hn(hn[m], models, counts) for m in MEASURES})
    return {g: pd.DataFrame(r, columns=list(MEASURES)) for g, r in rows.items()}


def _similarity_matrix(vectors: list[np.ndarray], similarity: str) -> np.ndarray | None:
    """Pearson (or Spearman: Pearson of ranks) correlations between all pairs of equal-length
    vectors, (k, k), in one matrix product; NaN for a constant vector. None when a vector has a
    missing value (pairwise-complete correlations are then computed pair by pair)."""
    x = np.asarray(vectors, dtype=np.float64)
    if np.isnan(x).any():
        return None
    if similarity == "spearman":
        x = scipy.stats.rankdata(x, axis=1)
    x = x - x.mean(1, keepdims=True)
    norm = np.sqrt(np.einsum("ij,ij->i", x, x))
    z = x / np.where(norm > 0, norm, 1.0)[:, None]
    c = z @ z.T
    bad = norm <= 0
    c[bad, :] = np.nan
    c[:, bad] = np.nan
    return c


def _corrected_matrix(profiles: list[Profile], measure: str, method: Method) -> np.ndarray:
    """Noise-corrected similarity of every pair of profiles for one measure, (k, k)."""
    values = [p.univariate if measure == "univariate" else p.multivariate for p in profiles]
    rel = np.array([p.rel_univariate if measure == "univariate" else p.rel_multivariate
                    for p in profiles], dtype=np.float64)
    r = (_similarity_matrix(values, "pearson" if measure == "univariate" else
                            method.similarity)
         if len({len(v) for v in values}) == 1 else None)
    if r is None:
        k = len(profiles)
        r = np.full((k, k), np.nan)
        for i, j in combinations(range(k), 2):
            r[i, j] = r[j, i] = similarity(profiles[i], profiles[j], measure, method)[0]
    ok = rel > 0
    with np.errstate(invalid="ignore"):
        scale = np.sqrt(np.outer(np.where(ok, rel, np.nan), np.where(ok, rel, np.nan)))
    return r / scale


def _weighted_nanmean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    w = weights[ok]
    return float(np.dot(values[ok], w) / w.sum()) if w.sum() > 0 else float("nan")


def _replicate_means(drawn: list[tuple[SystemId, Profile, int]],
                     nets: list[tuple[SystemId, Profile]], method: Method
                     ) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """One bootstrap replicate's mean corrected HH per measure, and mean corrected HN per
    measure and model: the numbers :func:`gap` takes from a pair table, without the table
    (the bootstrap's hot loop). ``drawn``: each distinct drawn brain with how often it was
    drawn; a pair of brains counts c_a * c_b times (as every pair of draws of different
    subjects in the table), a brain-network pair c_a times. All similarities of a replicate
    come from one matrix per measure."""
    n_b = len(drawn)
    counts = np.array([c for _, _, c in drawn], dtype=np.float64)
    all_profiles = [p for _, p, _ in drawn] + [p for _, p in nets]
    iu = np.triu_indices(n_b, k=1)
    models = [n.model for n, _ in nets]
    hh, hn = {}, {}
    for m in MEASURES:
        c = _corrected_matrix(all_profiles, m, method)
        hh[m] = _weighted_nanmean(c[:n_b, :n_b][iu], np.outer(counts, counts)[iu])
        cross = c[:n_b, n_b:]
        hn[m] = {}
        for model in dict.fromkeys(models):
            cols = [k for k, mo in enumerate(models) if mo == model]
            block = cross[:, cols]
            hn[m][model] = _weighted_nanmean(block.ravel(),
                                             np.repeat(counts, len(cols)))
    return hh, hn


def _weighted_hn(by_model: dict[str, float], models: tuple[str, ...],
                 counts: np.ndarray) -> float:
    """Mean of the models' HN weighted by how often the replicate drew each (models without
    a finite HN left out), as :func:`gap` with weights."""
    w = np.array([c if np.isfinite(by_model.get(mo, np.nan)) else 0 for mo, c in
                  zip(models, counts)], dtype=np.float64)
    if w.sum() == 0:
        return float("nan")
    v = np.array([by_model.get(mo, 0.0) if w[k] else 0.0 for k, mo in enumerate(models)])
    return float(np.dot(v, w) / w.sum())
