"""Inference for human-human (HH) and human-network (HN) similarity and their gap HH - HN.

Subjects and images are both samples, crossed: every subject saw every image. The statistics
(noise-corrected HH, HN per network group, the gap; ratios of means,
:mod:`analysis.stats.comparison`) are computed on bootstrap samples of

* subjects and images together (a replicate draws both),
* subjects only (all images), and
* images only (all subjects),

with the same draws. Bootstrapping both factors at once counts the subject-by-image
interaction (here mostly measurement noise) several times and gave SEs about twice too large
in simulated null worlds; the variance is therefore combined from the three as in Schütt et al.
(2023, eLife 12:e82566; rsatoolbox's ``_dual_bootstrap``, small-sample form), bounded below by
the variance given the subjects (:func:`dual_variance`), on the statistics *linearised* around
the full-data estimate (a ratio a/b as its first-order part (a - R0 b)/b0, :func:`linearised`):
their replicates are free of the occasional replicate in which a small denominator makes a
ratio explode. For a group of several models the between-model variance of the models' values
over their number is added (models as a random effect).

The ratios of means have a small-sample bias of order 1 / n_images (the reliabilities in the
denominators are estimated from the same images). It is estimated by the image-only bootstrap
(the mean of its replicates of the ratios minus the estimate), reported beside every estimate
(``bias``, with its Monte-Carlo SE) and subtracted (``estimate_corrected``).

Interval: the image-only bootstrap distribution of the linearised statistic, scaled to the
combined variance and centred on the corrected estimate, its ``level`` percentiles (they keep the
distribution's shape); p: two-sided, the share of that distribution on the other side of 0 (at
least 2 / (B + 1)). Calibration in simulated worlds (tests/test_gap_inference.py; stage
``validate``): in a null world with NSD-like noise the 95 % intervals excluded 0 in 1-2.5 %
of 200 worlds (conservative: the lower bound) and the mean SE was 0.9-1.4 times the SD of the
corrected gap over realisations (the univariate gap's image bootstrap overestimates its
variance given the subjects by 5-25 %); in a world with idiosyncratic subjects and a planted
gap they covered the population gap in 91-97 %. A control is judged by equivalence: its interval at
``equivalence_level`` against ± margin (:func:`equivalent`; analysis.stats.controls), never by
an interval that happens to include 0.

Brains are :class:`~analysis.stats.comparison.Prepared` systems ordered by subject; the
replicates' profiles of all brains come from a stacked fast path where the data allow it
(cross-validated distance, complete repetitions; tested equal to the one-at-a-time path).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.stats

from analysis.methods.profiles import pair_positions
from analysis.methods.similarity import rdm_similarity
from analysis.stats.comparison import MEASURES, Method, Prepared, Profile, profile

#: Statistics of each measure: HH (common to every network group), HN and the gap per group.
STATISTICS = ("hh", "hn", "gap")


@dataclass(frozen=True)
class Sample:
    """One measure's raw similarities on one image sample: ``hh`` (S, S) between subjects
    (diagonal NaN), ``hn`` (S, K) between subjects and network systems, ``rel`` (S,) the
    subjects' reliabilities (NaN: undefined; that subject is left out of the measure)."""

    hh: np.ndarray
    hn: np.ndarray
    rel: np.ndarray


def _correlation_matrix(vectors: list[np.ndarray], similarity: str) -> np.ndarray:
    """Pearson (or Spearman) correlations between all pairs of vectors, (k, k); NaN for a
    constant vector. One matrix product when the vectors are complete and of equal length,
    pairwise-complete correlations (analysis.methods.similarity.rdm_similarity) otherwise."""
    k = len(vectors)
    if len({len(v) for v in vectors}) == 1:
        x = np.asarray(vectors, dtype=np.float64)
        if not np.isnan(x).any():
            if similarity == "spearman":
                x = scipy.stats.rankdata(x, axis=1)
            x = x - x.mean(1, keepdims=True)
            nrm = np.sqrt(np.einsum("ij,ij->i", x, x))
            z = x / np.where(nrm > 0, nrm, 1.0)[:, None]
            c = z @ z.T
            c[nrm <= 0, :] = np.nan
            c[:, nrm <= 0] = np.nan
            return c
    c = np.full((k, k), np.nan)
    for i, j in combinations(range(k), 2):
        c[i, j] = c[j, i] = rdm_similarity(vectors[i], vectors[j], similarity)
    return c


def samples(brains: Sequence[Profile], nets: Sequence[Profile], method: Method
            ) -> dict[str, Sample]:
    """Per measure, the :class:`Sample` of the brains' and networks' profiles on one image
    sample (univariate: Pearson; multivariate: the method's RDM similarity)."""
    out = {}
    n_b = len(brains)
    for m in MEASURES:
        vectors = [p.values(m) for p in list(brains) + list(nets)]
        c = _correlation_matrix(vectors, "pearson" if m == "univariate" else method.similarity)
        hh = c[:n_b, :n_b].copy()
        np.fill_diagonal(hh, np.nan)
        out[m] = Sample(hh, c[:n_b, n_b:], np.array([p.reliability(m) for p in brains],
                                                    dtype=np.float64))
    return out


@dataclass(frozen=True)
class Layout:
    """Which network columns make each model and which models each group: ``models`` model ->
    its columns (indices into the networks), ``groups`` group name -> its models."""

    models: dict[str, tuple[int, ...]]
    groups: dict[str, tuple[str, ...]]

    def keys(self) -> list[tuple[str, str, str | None]]:
        """The statistics' (measure, statistic, group) in the order of :func:`statistics`."""
        out: list[tuple[str, str, str | None]] = []
        for m in MEASURES:
            out.append((m, "hh", None))
            for g in self.groups:
                out += [(m, "hn", g), (m, "gap", g)]
        return out


def layout(net_models: Sequence[str], groups: dict[str, tuple[str, ...]]) -> Layout:
    """The Layout of networks whose columns belong to ``net_models`` (one name per column)."""
    models: dict[str, list[int]] = {}
    for k, name in enumerate(net_models):
        models.setdefault(name, []).append(k)
    return Layout({m: tuple(c) for m, c in models.items()}, dict(groups))


def _sums(r: np.ndarray, nrm: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(mean r, mean norm) over the pairs with a finite r and norm, weighted: (2,) (NaN
    without weight)."""
    ok = np.isfinite(r) & np.isfinite(nrm) & (weight > 0)
    total = float(weight[ok].sum())
    if total <= 0:
        return np.full(2, np.nan)
    return np.array([np.dot(weight[ok], r[ok]), np.dot(weight[ok], nrm[ok])]) / total


def parts(s: Sample, w: np.ndarray, lay: Layout) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The two means behind one measure's corrected similarities, with subject weights ``w``
    (S,) (how often the bootstrap drew each subject; pairs of a subject with itself never
    count): for HH over pairs of different subjects (weight w_s w_t) and for each model's HN
    over its subjects x columns (weight w_s), (mean r, mean norm), norm = q_s q_t or q_s with
    q = sqrt(max(rel, 0)). A corrected similarity is their ratio (a ratio of means)."""
    q = np.sqrt(np.clip(s.rel, 0.0, None))  # NaN stays NaN: that subject has no norm
    pair_w = np.outer(w, w)
    np.fill_diagonal(pair_w, 0.0)
    hh = _sums(s.hh.ravel(), np.outer(q, q).ravel(), pair_w.ravel())
    models = {}
    for model, cols in lay.models.items():
        r = s.hn[:, list(cols)]
        models[model] = _sums(r.ravel(), np.repeat(q, len(cols)),
                              np.repeat(w, len(cols)).astype(np.float64))
    return hh, models


def _assemble(hh: float, per_model: dict[str, float], lay: Layout) -> list[float]:
    """One measure's statistics: HH, then HN and the gap per group (a group's HN is the mean
    over its models with a value)."""
    out = [hh]
    for models in lay.groups.values():
        v = np.array([per_model[x] for x in models], dtype=np.float64)
        v = v[np.isfinite(v)]
        hn = float(v.mean()) if len(v) else float("nan")
        out += [hn, hh - hn]
    return out


def _ratio(ab: np.ndarray) -> float:
    return float(ab[0] / ab[1]) if ab[1] > 0 else float("nan")


def statistics(s: dict[str, Sample], w: np.ndarray, lay: Layout) -> np.ndarray:
    """The statistics of :meth:`Layout.keys` for one sample and subject weights: (n_stats,)."""
    out: list[float] = []
    for m in MEASURES:
        hh, models = parts(s[m], w, lay)
        out += _assemble(_ratio(hh), {k: _ratio(v) for k, v in models.items()}, lay)
    return np.array(out, dtype=np.float64)


def linearised(s: dict[str, Sample], w: np.ndarray, lay: Layout,
               ref: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]) -> np.ndarray:
    """The statistics linearised around the full data's parts ``ref`` (:func:`parts` of every
    measure with all subjects): a ratio a / b becomes (a - R0 b) / b0 with R0 = a0 / b0, its
    first-order (delta-method) part. Their bootstrap variance is the delta-method variance of
    the ratios, free of the replicates where a small denominator makes a ratio explode."""
    out: list[float] = []
    for m in MEASURES:
        hh, models = parts(s[m], w, lay)
        hh0, models0 = ref[m]
        lin = {k: _linear(v, models0[k]) for k, v in models.items()}
        out += _assemble(_linear(hh, hh0), lin, lay)
    return np.array(out, dtype=np.float64)


def _linear(ab: np.ndarray, ab0: np.ndarray) -> float:
    if not ab0[1] > 0:
        return float("nan")
    r0 = ab0[0] / ab0[1]
    return float(r0 + (ab[0] - r0 * ab[1]) / ab0[1])


# ---- the brains' profiles of many image samples (the bootstrap's hot path) ------------------

@dataclass(frozen=True, eq=False)
class _BrainStack:
    """Prepared brains with complete data and the cross-validated distance, stacked so one
    sample's profiles of every brain are a few array operations; :func:`profile` gives the
    same values one brain at a time (tested).

    A bootstrap sample's RDM entries are the original image pairs (a, b), each repeated
    c_a * c_b times (c: how often each image was drawn), so sums over the sample's entries are
    weighted sums over the original pairs: one matrix-vector product with the weights."""

    univariate: np.ndarray  # (n_brains, n_img, n_rep)
    rdm: np.ndarray         # (n_brains, n_pairs)
    moments: np.ndarray     # (n_brains, 3 * n_rep + 2, n_pairs): s*o, s, o per rep; d, d^2
    n_rep: int


def _stack(prepared: Sequence[Prepared]) -> _BrainStack | None:
    """The stack of the prepared brains, or None where it does not apply (a network, the
    correlation distance, missing repetitions or unequal shapes)."""
    if not prepared or any(p.system.noiseless or p.method.distance != "crossval_euclidean"
                           for p in prepared):
        return None
    try:
        uni = np.stack([p.univariate for p in prepared])
        singles = np.stack([np.stack(p.rdm_single) for p in prepared])
        others = np.stack([np.stack(p.rdm_others) for p in prepared])
        d = np.stack([p.rdm for p in prepared])
    except ValueError:  # unequal shapes
        return None
    if any(np.isnan(x).any() for x in (uni, singles, others, d)) or uni.shape[2] < 3:
        return None
    moments = np.concatenate([singles * others, singles, others, d[:, None], d[:, None]**2], 1)
    return _BrainStack(uni, d, moments, uni.shape[2])


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
    with np.errstate(invalid="ignore", divide="ignore"):
        rel_uni = np.where(r1 >= 0, st.n_rep * r1 / (1 + (st.n_rep - 1) * r1), r1)
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
        rel = np.where(v_obs > 0, v_true / np.where(v_obs > 0, v_obs, 1.0), np.nan)
    mean = uni.mean(1)
    return [Profile(mean[k], st.rdm[k, pos], float(rel_uni[k]), float(rel[k]))
            for k in range(len(st.rdm))]


def sampler(brains: Sequence[Prepared], nets: Sequence[Prepared], method: Method
            ) -> Callable[[np.ndarray], dict[str, Sample]]:
    """A function from image positions ``idx`` (duplicates allowed) to the :class:`Sample` of
    every measure on them."""
    stack = _stack(brains)
    n_img = brains[0].n_img

    def on(idx: np.ndarray) -> dict[str, Sample]:
        pos = pair_positions(idx, n_img)
        b = (_stack_profiles(stack, idx, pos) if stack is not None
             else [profile(p, idx, pos) for p in brains])
        return samples(b, [profile(p, idx, pos) for p in nets], method)

    return on


# ---- the dual bootstrap, the jackknife and the summary ----------------------------------------

@dataclass(frozen=True)
class Replicates:
    """Everything the summary needs, for the statistics of ``keys``: the full-data estimates
    (n_stats,); the image-only bootstrap replicates of the ratios (n_boot, n_stats), for the
    bias; and the replicates of the linearised statistics (n_boot, n_stats each) of the
    bootstraps of images only, subjects only and both, for the variance; each model's
    full-data HN per measure; the numbers of subjects and images."""

    keys: list[tuple[str, str, str | None]]
    estimate: np.ndarray
    images_ratio: np.ndarray
    images: np.ndarray
    subjects: np.ndarray
    both: np.ndarray
    model_values: dict[str, dict[str, float]]
    layout: Layout
    n_subjects: int
    n_images: int


def dual_bootstrap(brains: Sequence[Prepared], nets: Sequence[Prepared], net_models:
                   Sequence[str], groups: dict[str, tuple[str, ...]], n_boot: int,
                   rng: np.random.Generator, method: Method = Method()) -> Replicates:
    """The statistics on all data and on ``n_boot`` bootstrap samples of images only, subjects
    only and both (the same draws: a replicate's images ``idx`` and subjects ``pick``).

    brains: prepared subjects (ordered by subject); nets: prepared network systems, with
    ``net_models`` their model names; groups: group name -> models (comparison.network_groups).
    Each replicate draws the images (sorted) and then the subjects from ``rng``, so a region's
    draws do not depend on the networks.
    """
    lay = layout(net_models, groups)
    n_img, n_sub = brains[0].n_img, len(brains)
    on = sampler(brains, nets, method)
    ones = np.ones(n_sub)
    full = on(np.arange(n_img))
    ref = {m: parts(full[m], ones, lay) for m in MEASURES}
    estimate = statistics(full, ones, lay)
    ratio_i, imgs, subj, both = (np.empty((n_boot, len(estimate))) for _ in range(4))
    for b in range(n_boot):
        idx = np.sort(rng.integers(0, n_img, n_img))
        w = np.bincount(rng.choice(n_sub, n_sub, replace=True), minlength=n_sub).astype(float)
        s = on(idx)
        ratio_i[b] = statistics(s, ones, lay)
        imgs[b] = linearised(s, ones, lay, ref)
        subj[b] = linearised(full, w, lay, ref)
        both[b] = linearised(s, w, lay, ref)
    values = {m: {k: _ratio(v) for k, v in ref[m][1].items()} for m in MEASURES}
    return Replicates(lay.keys(), estimate, ratio_i, imgs, subj, both, values, lay, n_sub,
                      n_img)


def dual_variance(v_both: float, v_subjects: float, v_images: float, n_subjects: int,
                  n_images: int) -> float:
    """Variance of a statistic of a crossed subjects x images design from the variances of the
    bootstraps of both factors, of subjects only and of images only: the small-sample formula
    of Schütt et al. (2023; rsatoolbox ``_dual_bootstrap``),
    a V_s + b V_i - a b (V_si - V_s - V_i) with a = S / (S - 1), b = I / (I - 1), kept within
    [b V_i, max(V_si, b V_i)].

    The lower bound is the law of total variance: the variance over subjects and images is at
    least the variance given the subjects, which the image bootstrap estimates. rsatoolbox also
    bounds by the subject bootstrap, a V_s; that is not used here: HH is a mean over subject
    pairs, and a subject drawn twice enters twice as many pairs, which inflates the subject (and
    the two-factor) bootstrap of a pair statistic beyond its variance."""
    a, b = n_subjects / (n_subjects - 1), n_images / (n_images - 1)
    v = a * v_subjects + b * v_images - a * b * (v_both - v_subjects - v_images)
    low = b * v_images
    return min(max(v, low), max(v_both, low))


SUMMARY_COLUMNS = ["estimate", "bias", "bias_se", "estimate_corrected", "se", "ci_low",
                   "ci_high", "p", "n_boot", "se_naive", "var_images", "var_subjects",
                   "var_models", "n_models"]


def _var(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.var(x, ddof=1)) if len(x) > 1 else float("nan")


def summarise(rep: Replicates, level: float) -> pd.DataFrame:
    """One row per statistic (columns measure, statistic, group, then SUMMARY_COLUMNS).

    estimate: on all data; bias: the mean of the image-only replicates of the estimator minus
    the estimate (the estimator's small-sample bias at these reliabilities and this number of
    images; what a null world with these data would show), with its Monte-Carlo SE;
    estimate_corrected = estimate - bias; se: the square root of :func:`dual_variance` of the
    linearised replicates plus, for a group of several models, the between-model variance over
    their number; ci_low/ci_high: the ``level`` interval of the corrected estimate from the
    image-only bootstrap distribution scaled to that variance (its percentiles keep the
    distribution's shape); p: two-sided, the share of that distribution on the other side of 0
    (at least 2 / (B + 1)); se_naive: the plain two-factor bootstrap SE, for comparison;
    var_images, var_subjects: the image-only and subject-only bootstrap variances;
    var_models; n_models: models behind a group's value."""
    rows = []
    for k, (m, stat, g) in enumerate(rep.keys):
        rows.append({"measure": m, "statistic": stat, "group": g,
                     **_summary(rep, k, m, stat, g, level)})
    return pd.DataFrame(rows, columns=["measure", "statistic", "group", *SUMMARY_COLUMNS])


def _summary(rep: Replicates, k: int, measure: str, stat: str, group: str | None,
             level: float) -> dict[str, float]:
    est = float(rep.estimate[k])
    ratio = rep.images_ratio[:, k]
    ratio = ratio[np.isfinite(ratio)]
    imgs = rep.images[:, k]
    imgs = imgs[np.isfinite(imgs)]
    vi, vs, vb = _var(imgs), _var(rep.subjects[:, k]), _var(rep.both[:, k])
    vm, n_m = _model_variance(rep, measure, stat, group)
    out = {"estimate": est, "bias": float("nan"), "bias_se": float("nan"),
           "estimate_corrected": float("nan"), "se": float("nan"), "ci_low": float("nan"),
           "ci_high": float("nan"), "p": float("nan"), "n_boot": int(len(imgs)),
           "se_naive": float(np.sqrt(vb)) if np.isfinite(vb) else float("nan"),
           "var_images": vi, "var_subjects": vs, "var_models": vm, "n_models": n_m}
    if not (np.isfinite(est) and len(ratio) > 1 and np.isfinite([vi, vs, vb]).all()):
        return out
    bias = float(ratio.mean() - est)
    corrected = est - bias
    v = dual_variance(vb, vs, vi, rep.n_subjects, rep.n_images) + vm
    out.update(bias=bias, bias_se=float(ratio.std(ddof=1) / np.sqrt(len(ratio))),
               estimate_corrected=corrected, se=float(np.sqrt(v)))
    if vi > 0:
        dist = corrected + (imgs - imgs.mean()) * np.sqrt(v / vi)
        lo, hi = np.percentile(dist, [50 * (1 - level), 50 * (1 + level)])
        tail = min(np.sum(dist <= 0), np.sum(dist >= 0))
        out.update(ci_low=float(lo), ci_high=float(hi),
                   p=float(min(1.0, 2 * (tail + 1) / (len(dist) + 1))))
    return out


def _model_variance(rep: Replicates, measure: str, stat: str, group: str | None
                    ) -> tuple[float, int]:
    """Between-model variance of a group's HN (and so of its gap) over its number of models
    with a value, and that number (models as a random effect; 0 for HH or a single model)."""
    if stat == "hh" or group is None:
        return 0.0, 0
    v = np.array([rep.model_values[measure][x] for x in rep.layout.groups[group]])
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return 0.0, len(v)
    return float(np.var(v, ddof=1) / len(v)), len(v)


def equivalent(ci_low: float, ci_high: float, margin: float) -> bool:
    """Whether an interval lies inside ± ``margin`` (an undefined interval does not)."""
    return bool(np.isfinite(ci_low) and np.isfinite(ci_high) and -margin <= ci_low
                and ci_high <= margin)
