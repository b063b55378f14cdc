"""Alignment-pattern analysis (analysis.analyses.alignment_patterns): against direct computations
(scipy correlations, loops over subject pairs), on simulated regions with a planted
cross-region structure (recovered; a model with the right conventional score but a shuffled
structure gets ~0 agreement; subjects agree with each other), under a realistic null (no
structure across regions: agreement at chance; the permutation test, run as the stage runs it,
judged at `alignment_patterns.calibrated_alpha`), and the committed demo results against the
controls."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats
from scipy.spatial.distance import pdist
from threadpoolctl import threadpool_limits

from analysis import config
from analysis.analyses.alignment_patterns import patterns as apa
from analysis.analyses.alignment_patterns.params import block
from analysis.methods.predictivity import cv_predict, folds
from analysis.methods.profiles import pair_positions
from analysis.responses import BrainId, NetworkId, Responses
from analysis.stats.comparison import prepare
from analysis.stats.layer_choice import halves

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ["R1", "R2", "R3", "R4", "R5", "R6"]
ALPHAS = [0.01, 0.1, 1.0, 10.0, 100.0]


def structure(rng: np.random.Generator, n_regions: int = 6, n_sources: int = 8,
              reads: int = 2) -> np.ndarray:
    """(n_regions, n_sources) weights C: besides a private component of its own, region k
    reads ``reads`` of the shared image sources (weights 0.6-1.0), so two regions align when
    they read the same sources and every region has its own pattern of alignments."""
    c = np.zeros((n_regions, n_sources))
    for k in range(n_regions):
        c[k, rng.choice(n_sources, reads, replace=False)] = rng.uniform(0.6, 1.0, reads)
    return c


def signals(rng: np.random.Generator, c: np.ndarray, n_img: int = 40, latent: int = 3,
            weights: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """(n_regions, n_img, latent) region signals u_k + sum_j C[k, j] s_j, scaled per image by
    a log-normal strength shared by all regions; ``weights`` replaces C (same sources), and
    the returned parts let another system be built from the same images."""
    parts = {"u": rng.normal(size=(len(c), n_img, latent)),
             "s": rng.normal(size=(c.shape[1], n_img, latent)),
             "strength": rng.lognormal(0.0, 0.5, n_img)[None, :, None]}
    return mix(parts, c if weights is None else weights), parts


def mix(parts: dict, c: np.ndarray) -> np.ndarray:
    return (parts["u"] + np.einsum("kj,jil->kil", c, parts["s"])) * parts["strength"]


def measured(rng: np.random.Generator, signal: np.ndarray, n_subjects: int = 5,
             voxels: int = 10, reps: int = 3, noise: float = 1.0) -> list[Responses]:
    """Subjects' regions measured with noise: a voxel reads a random projection of its
    region's signal plus a subject-specific part; trial noise has a component shared by the
    region's voxels (correlated noise); ``reps`` repetitions. Subject-major order."""
    n_img, latent = signal.shape[1:]
    brains = []
    for s in range(1, n_subjects + 1):
        for k, sig in enumerate(signal):
            true = sig @ rng.normal(size=(latent, voxels)) + 0.3 * rng.normal(
                size=(n_img, voxels))
            shared = rng.normal(size=(n_img, 1, reps))
            trial = noise * true.std() * (0.6 * shared
                                          + 0.8 * rng.normal(size=(n_img, voxels, reps)))
            brains.append(Responses(true[:, :, None] + trial, np.arange(n_img),
                                    np.arange(voxels), BrainId(s, f"R{k + 1}")))
    return brains


def world(rng: np.random.Generator, c: np.ndarray) -> tuple[list[Responses], np.ndarray]:
    """Measured brains and the true region signals of one simulated world."""
    signal, _ = signals(rng, c)
    return measured(rng, signal), signal


def layers_of(name: str, signals: np.ndarray, rng: np.random.Generator, units: int = 30
              ) -> list[tuple[str, Responses]]:
    """A noiseless 'network' whose layer k reads region k's signal (random projection)."""
    out = []
    for k, sig in enumerate(signals):
        x = sig @ rng.normal(size=(sig.shape[1], units))
        out.append((f"R{k + 1}", Responses.from_network(x, np.arange(len(x)),
                                                        np.arange(units),
                                                        NetworkId(name, f"R{k + 1}", True))))
    return out


def tables(brains: list[Responses], systems: dict[str, list[tuple[str, Responses]]]
           ) -> tuple[pd.DataFrame, pd.DataFrame, list[Responses]]:
    rows = [{"kind": "brain", "system": "brain", "layer": None, "subject": b.system.subject,
             "region": b.system.region} for b in brains]
    row_systems = list(brains)
    for name, layers in systems.items():
        for layer, r in layers:
            rows.append({"kind": "model", "system": name, "layer": layer, "subject": None,
                         "region": None})
            row_systems.append(r)
    cols = pd.DataFrame([{"subject": b.system.subject, "region": b.system.region}
                         for b in brains])
    return pd.DataFrame(rows), cols, row_systems


def rsa_measure(brains: list[Responses], row_systems: list[Responses]) -> apa.RsaAlignment:
    return apa.RsaAlignment(np.stack([prepare(r).rdm for r in row_systems]),
                            np.stack([prepare(b).rdm for b in brains]), brains[0].n_stimuli)


# --- against direct computations ------------------------------------------------------------

def test_rsa_matrix_equals_scipy_on_a_sample_with_duplicates() -> None:
    import pingouin as pg
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(12, 5)) for _ in range(3)]
    y = [rng.normal(size=(12, 4)) for _ in range(2)]
    sq = [pdist(a, "sqeuclidean") / a.shape[1] for a in x + y]
    m = apa.RsaAlignment(np.stack(sq[:3]), np.stack(sq[3:]), 12)
    idx = np.array([0, 3, 3, 5, 7, 8, 9, 11])
    # a bootstrap sample: every pair of sampled images (a duplicate repeats its pairs), pairs
    # of an image with its own copy dropped
    pairs = [(p, q) for k, p in enumerate(idx) for q in idx[k + 1:] if p != q]
    def dist(z: np.ndarray) -> np.ndarray:
        return np.array([np.sum((z[p] - z[q]) ** 2) / z.shape[1] for p, q in pairs])

    for sim in ("pearson", "spearman"):
        got = apa.RsaAlignment(m.rows, m.cols, 12, sim).matrix(idx)
        prep = (lambda v: stats.rankdata(v)) if sim == "spearman" else (lambda v: v)
        cols = [prep(dist(z)) for z in y]
        # the covariate: the mean of the column RDMs, each standardised
        common = np.mean([stats.zscore(c) for c in cols], axis=0)
        for i in range(3):
            for j in range(2):
                frame = pd.DataFrame({"a": prep(dist(x[i])), "b": cols[j], "g": common})
                want = pg.partial_corr(frame, x="a", y="b", covar="g")["r"].item()
                assert got[i, j] == pytest.approx(want, abs=1e-10)


def test_predictivity_matrix_equals_mean_scipy_r_per_column_system() -> None:
    rng = np.random.default_rng(1)
    pred = rng.normal(size=(2, 15, 5))
    targ = rng.normal(size=(15, 5))
    col = np.array([0, 0, 1, 1, 1])
    m = apa.PredictivityAlignment(pred, targ, col, 2)
    idx = np.arange(2, 15)
    got = m.matrix(idx)
    for i in range(2):
        for c in range(2):
            want = np.mean([stats.pearsonr(pred[i, idx, t], targ[idx, t])[0]
                            for t in np.flatnonzero(col == c)])
            assert got[i, c] == pytest.approx(want, abs=1e-10)


def test_brain_matrix_and_stability_equal_loops_over_subject_pairs() -> None:
    import pingouin as pg
    rng = np.random.default_rng(2)
    subjects, regions = [1, 2, 3, 4], ["A", "B", "C", "D", "E", "F"]
    rows = pd.DataFrame([{"kind": "brain", "system": "brain", "layer": None, "subject": s,
                          "region": r} for s in subjects for r in regions])
    cols = rows[["subject", "region"]].copy()
    n = len(rows)
    mat = rng.normal(size=(n, n))
    got = apa.brain_matrix(mat, rows, cols, regions)
    for a in regions:
        for b in regions:
            want = np.mean([mat[i, j] for i in range(n) for j in range(n)
                            if rows.region[i] == a and cols.region[j] == b
                            and rows.subject[i] != cols.subject[j]])
            assert got.loc[a, b] == pytest.approx(want)
    stab = apa.held_out_stability(mat, rows, cols, regions)
    h, a = 3, "B"
    own = pd.Series({b: np.mean([mat[i, j] for i in range(n) for j in range(n)
                                 if rows.subject[i] == h and rows.region[i] == a
                                 and cols.region[j] == b and cols.subject[j] != h])
                     for b in regions if b != a})
    rest = pd.Series({b: np.mean([mat[i, j] for i in range(n) for j in range(n)
                                  if rows.region[i] == a and cols.region[j] == b
                                  and h not in (rows.subject[i], cols.subject[j])
                                  and rows.subject[i] != cols.subject[j]])
                      for b in regions if b != a})
    # the covariate: each other region's mean alignment with the regions other than itself
    # and A, among the subjects other than h
    others = apa.brain_matrix(mat, rows, cols, regions, leave_out=[h])
    general = pd.Series({b: np.mean([others.loc[x, b] for x in regions if x not in (a, b)])
                         for b in regions if b != a})
    row = stab[(stab.subject == h) & (stab.region == a)]
    assert row["agreement_raw"].item() == pytest.approx(stats.pearsonr(own, rest)[0])
    want = pg.partial_corr(pd.DataFrame({"x": own, "y": rest, "g": general}), x="x", y="y",
                           covar="g")["r"].item()
    assert row["agreement"].item() == pytest.approx(want)


def test_layer_choice_and_scores_on_a_hand_case() -> None:
    regions = ["A", "B", "C", "D"]
    rows = pd.DataFrame([{"kind": "brain", "system": "brain", "layer": None, "subject": s,
                          "region": r} for s in (1, 2) for r in regions]
                        + [{"kind": "model", "system": "m", "layer": lay, "subject": None,
                            "region": None} for lay in ("l1", "l2")])
    cols = rows.iloc[:8][["subject", "region"]].reset_index(drop=True)
    mat = np.zeros((10, 8))
    mat[8] = [0.9, 0.1, 0.2, 0.3] * 2   # l1: best for A
    mat[9] = [0.5, 0.8, 0.7, 0.1] * 2   # l2: best for B, C
    chosen = apa.choose_layers(mat, rows, cols, regions)
    assert chosen[("m", "A")] == "l1" and chosen[("m", "B")] == "l2"
    assert chosen[("m", "D")] == "l1"
    scored = apa.score_layers(mat, rows, cols, regions, chosen).set_index("region")
    assert scored.loc["A", "conventional"] == pytest.approx(0.9)
    assert scored.loc["C", "conventional"] == pytest.approx(0.7)
    assert (scored["conventional_plain"] == scored["conventional"]).all()   # no plain matrix
    plain = apa.score_layers(mat, rows, cols, regions, chosen, plain=mat + 0.05)
    assert plain.set_index("region").loc["A", "conventional_plain"] == pytest.approx(0.95)
    # three other regions leave one degree of freedom after the partial correlation: no
    # agreement is given (NaN), rather than a meaningless +-1
    assert scored["agreement"].isna().all()


def test_plain_rsa_matrix_equals_scipy_correlation_per_pair() -> None:
    rng = np.random.default_rng(10)
    sq = [pdist(rng.normal(size=(14, 6)), "sqeuclidean") for _ in range(5)]
    idx = np.array([0, 2, 2, 4, 5, 7, 8, 10, 13])
    pos = pair_positions(idx, 14)
    for sim, ref in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        got = apa.RsaAlignment(np.stack(sq[:3]), np.stack(sq[3:]), 14, sim).matrix(
            idx, partial=False)
        for i in range(3):
            for j in range(2):
                assert got[i, j] == pytest.approx(ref(sq[i][pos], sq[3 + j][pos])[0],
                                                  abs=1e-10)


def test_permuted_agreement_is_freedman_lane_with_one_permutation_for_both_folds() -> None:
    """Reference: statsmodels OLS of the system pattern on [1, control] per fold, its residuals
    permuted and added back to the fitted values, pingouin's partial correlation with the
    brain pattern, averaged over the folds; a region missing in one fold is dropped from
    both."""
    import pingouin as pg
    import statsmodels.api as sm
    rng = np.random.default_rng(3)
    index = [f"B{k}" for k in range(8)]
    triples = [tuple(pd.Series(rng.normal(size=8), index=index) for _ in range(3))
               for _ in range(2)]
    triples[1][1].iloc[2] = np.nan
    null = apa.permuted_agreement(triples, np.random.default_rng(9), 300)
    keep = [b for k, b in enumerate(index) if k != 2]
    again = np.random.default_rng(9)
    for k in range(5):
        perm = again.permutation(len(keep))
        want = []
        for x, y, c in triples:
            x, y, c = x[keep].to_numpy(), y[keep].to_numpy(), c[keep].to_numpy()
            fit = sm.OLS(x, sm.add_constant(c)).fit()
            star = fit.fittedvalues + fit.resid[perm]
            want.append(pg.partial_corr(pd.DataFrame({"x": star, "y": y, "c": c}), x="x",
                                        y="y", covar="c")["r"].item())
        assert null[k] == pytest.approx(np.mean(want), abs=1e-10)
    assert abs(null.mean()) < 0.05
    # fewer than four regions in common: no null
    short = [tuple(s.iloc[:3] for s in t) for t in triples]
    assert np.isnan(apa.permuted_agreement(short, rng, 10)).all()


# --- planted cross-region structure ------------------------------------------------------

def _analyse(rng: np.random.Generator, c: np.ndarray, systems_from) -> dict:
    brains, signal = world(rng, c)
    systems = systems_from(signal, rng)
    rows, cols, row_systems = tables(brains, systems)
    m = rsa_measure(brains, row_systems)
    n = brains[0].n_stimuli
    perm = rng.permutation(n)
    half = [(np.sort(perm[: n // 2]), np.sort(perm[n // 2:])),
            (np.sort(perm[n // 2:]), np.sort(perm[: n // 2]))]
    mats = [(m.matrix(a), m.matrix(b)) for a, b in half]
    scored = pd.concat([apa.score_layers(e, rows, cols, REGIONS,
                                         apa.choose_layers(ch, rows, cols, REGIONS))
                        for ch, e in mats])
    # the truth: the same measure between the noise-free region signals
    truth = apa.RsaAlignment(*[np.stack([pdist(s.reshape(n, -1), "sqeuclidean")
                                         for s in signal])] * 2, n).matrix(np.arange(n))
    return {"brain": apa.brain_matrix(m.matrix(np.arange(n)), rows, cols, REGIONS),
            "truth": truth,
            "stability": apa.held_out_stability(m.matrix(np.arange(n)), rows, cols, REGIONS),
            "scored": scored.groupby(["system", "region"])[["conventional", "agreement"]]
            .mean().reset_index()}


def test_planted_structure_is_recovered_and_subjects_agree() -> None:
    rng = np.random.default_rng(4)
    r, stability, matched = [], [], []
    for _ in range(5):
        c = structure(rng)
        out = _analyse(rng, c, lambda s, g: {"brain_like": layers_of("brain_like", s, g)})
        est, truth = out["brain"].to_numpy(), out["truth"]
        off = ~np.eye(len(REGIONS), dtype=bool)
        r.append(stats.pearsonr(est[off], truth[off])[0])
        stability.append(out["stability"]["agreement"].median())
        matched.append(out["scored"]["agreement"].mean())
    # measured (5 worlds, 5 subjects x 40 images x 3 repetitions): recovery r 0.86-0.97
    # (mean 0.93), held-out-subject agreement median 0.39-0.94 (mean 0.75), brain-like model
    # 0.62-0.92 (mean 0.82)
    assert np.mean(r) > 0.85
    assert np.mean(stability) > 0.6                 # the subject-to-subject reference is high
    assert np.mean(matched) > 0.7                   # a brain-like model reproduces the patterns


def shuffled_weights(c: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each region's source weights moved to sources it does not read: every layer keeps its
    region's private component and the same weight values but relates to the other regions
    through other sources (a shuffled cross-region structure). Not a same-score control: the
    sources a region reads are part of what it aligns with, so its conventional score is far
    lower (RSA, measured: 0.035 against the brain-like layer's 0.741); only the
    pattern-level shuffle (test_shuffled_structure_keeps_...) keeps the score."""
    out = np.zeros_like(c)
    for k, row in enumerate(c):
        used = np.flatnonzero(row)
        free = rng.permutation(np.flatnonzero(row == 0))[:len(used)]
        out[k, free] = row[used]
    return out


def predictivity_measure(brains: list[Responses], row_systems: list[Responses],
                         rng: np.random.Generator) -> apa.PredictivityAlignment:
    y = np.concatenate([b.mean() for b in brains], axis=1)
    col = np.concatenate([np.full(b.n_channels, i) for i, b in enumerate(brains)])
    test = folds(brains[0].n_stimuli, 5, rng)
    return apa.PredictivityAlignment(np.stack([cv_predict(r.mean(), y, test, ALPHAS)
                                               for r in row_systems]), y, col, len(brains))


def _scores(rng: np.random.Generator, c: np.ndarray, measure: str = "rsa") -> pd.DataFrame:
    """A brain-like model (layer k reads region k's signal) and a shuffled-structure model
    (layer k reads region k's private component and the sources with shuffled weights), each
    layer scored against its own region."""
    signal, parts = signals(rng, c)
    brains = measured(rng, signal)
    # a system of unrelated regions seeing the same images: its own private components and
    # sources and its own structure, the same image strength
    other = {"u": rng.normal(size=parts["u"].shape), "s": rng.normal(size=parts["s"].shape),
             "strength": parts["strength"]}
    systems = {"brain_like": layers_of("brain_like", signal, rng),
               "shuffled": layers_of("shuffled", mix(parts, shuffled_weights(c, rng)), rng),
               "unrelated": layers_of("unrelated", mix(other, structure(rng)), rng)}
    rows, cols, row_systems = tables(brains, systems)
    m = (rsa_measure(brains, row_systems) if measure == "rsa"
         else predictivity_measure(brains, row_systems, rng))
    full = m.matrix(np.arange(brains[0].n_stimuli))
    chosen = {(sy, r): r for sy in systems for r in REGIONS}   # layer k for region k
    return apa.score_layers(full, rows, cols, REGIONS, chosen)


def test_shuffled_structure_keeps_the_conventional_score_but_not_the_pattern() -> None:
    """The acceptance case, two ways. (1) The brain-like model's pattern shuffled over the
    other regions: exactly the same conventional score (its alignment with its own region),
    agreement ~0. (2) A system whose layers read their region's private component and other
    sources (a shuffled cross-region structure built into the responses): agreement ~0
    while the brain-like system's is high (its conventional score is lower too: the sources a
    region reads are part of what it aligns with)."""
    rng = np.random.default_rng(5)
    t = pd.concat([_scores(rng, structure(rng)) for _ in range(10)])
    m = t.groupby("system")[["conventional", "agreement"]].mean()
    # measured (10 worlds x 6 regions): brain-like 0.79, shuffled sources 0.18 (over 25 other
    # worlds: 0.06)
    assert m.loc["brain_like", "agreement"] > 0.65
    assert abs(m.loc["shuffled", "agreement"]) < 0.25
    assert m.loc["brain_like", "agreement"] - m.loc["shuffled", "agreement"] > 0.5
    # (1) pattern-level: same conventional score by construction
    signal, _ = signals(rng, structure(rng))
    brains = measured(rng, signal)
    rows, cols, row_systems = tables(brains, {"m": layers_of("m", signal, rng)})
    full = rsa_measure(brains, row_systems).matrix(np.arange(brains[0].n_stimuli))
    brain = apa.brain_matrix(full, rows, cols, REGIONS)
    for k, region in enumerate(REGIONS):
        pat = apa.system_pattern(full[len(brains) + k], cols, REGIONS)
        observed = apa.agreement(apa.pattern(pat, region), apa.pattern(brain, region),
                                 apa.general(brain, region))
        null = apa.permuted_agreement([(apa.pattern(pat, region), apa.pattern(brain, region),
                                        apa.general(brain, region))], rng, 2000)
        assert abs(np.mean(null)) < 0.1
        assert observed > np.quantile(null, 0.5)


# --- realistic null, as the stage runs it ----------------------------------------------------

def stage_world(rng: np.random.Generator, measure: str, n_regions: int = 10,
                n_subjects: int = 8, n_img: int = 90, n_perm: int = 1000) -> pd.DataFrame:
    """One simulated world analysed as the stage analyses it (the demo's design: 10 regions,
    8 subjects, 90 images): the images split in halves, each region assigned each system's
    best layer on one half and scored on the other (predictivity cross-validated within each
    half), the agreement averaged over both directions and its p from
    :func:`apa.permuted_agreement` over both folds. Systems: brain-like (layer k reads region
    k's signal), unrelated (its own regions and structure, the same image strength: the
    null) and shuffled (region k's private component, other sources: not a clean null, its
    shared image sources still relate it to the brain). Columns: system, region, agreement,
    p."""
    regions = [f"R{k + 1}" for k in range(n_regions)]
    c = structure(rng, n_regions)
    signal, parts = signals(rng, c, n_img)
    brains = measured(rng, signal, n_subjects)
    other = {"u": rng.normal(size=parts["u"].shape), "s": rng.normal(size=parts["s"].shape),
             "strength": parts["strength"]}
    systems = {"brain_like": layers_of("brain_like", signal, rng),
               "unrelated": layers_of("unrelated", mix(other, structure(rng, n_regions)), rng),
               "shuffled": layers_of("shuffled", mix(parts, shuffled_weights(c, rng)), rng)}
    rows, cols, row_systems = tables(brains, systems)
    fold_sets = halves(n_img, rng)
    if measure == "rsa":
        m = rsa_measure(brains, row_systems)
    else:
        y = np.concatenate([b.mean() for b in brains], axis=1)
        preds = np.empty((len(row_systems), n_img, y.shape[1]))
        for h, _ in fold_sets:
            test = folds(len(h), 5, rng)
            for i, r in enumerate(row_systems):
                preds[i, h] = cv_predict(r.mean()[h], y[h], test, ALPHAS)
        m = apa.PredictivityAlignment(preds, y, np.concatenate(
            [np.full(b.n_channels, i) for i, b in enumerate(brains)]), len(brains))
    mats = [(m.matrix(a), m.matrix(b)) for a, b in fold_sets]
    chosen = [apa.choose_layers(a, rows, cols, regions) for a, _ in mats]
    brain = [apa.brain_matrix(e, rows, cols, regions) for _, e in mats]
    scored = [apa.score_layers(e, rows, cols, regions, ch).set_index(["system", "region"])
              for (_, e), ch in zip(mats, chosen, strict=True)]
    out = []
    for system in systems:
        for a in regions:
            triples = []
            for k, (_, e) in enumerate(mats):
                i = rows.index[(rows.system == system)
                               & (rows.layer == chosen[k][(system, a)])][0]
                triples.append((apa.pattern(apa.system_pattern(e[i], cols, regions), a),
                                apa.pattern(brain[k], a), apa.general(brain[k], a)))
            obs = np.mean([t.loc[(system, a), "agreement"] for t in scored])
            null = apa.permuted_agreement(triples, rng, n_perm)
            out.append({"system": system, "region": a, "agreement": obs,
                        "p": (1 + np.sum(null >= obs)) / (1 + n_perm)})
    return pd.DataFrame(out)


def calibrated_alpha() -> float:
    return block(config.load_params(ROOT / "params.yaml")).calibrated_alpha


def null_and_power(measure: str, worlds: int, seed: int, **design: int
                   ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per system over ``worlds`` worlds of :func:`stage_world` (``design``: its sizes): the
    share of region tests at p <= the calibrated alpha, the same after Benjamini-Hochberg
    over each world's regions, and the mean agreement. One thread, as the stage runs."""
    rng = np.random.default_rng(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            t = pd.concat([stage_world(rng, measure, **design).assign(world=w)
                           for w in range(worlds)])
    finally:
        torch.set_num_threads(threads)
    alpha = calibrated_alpha()
    t["q"] = t.groupby(["world", "system"])["p"].transform(
        lambda p: stats.false_discovery_control(p.to_numpy(), method="bh"))
    by = t.groupby("system")
    return (by["p"].apply(lambda p: (p <= alpha).mean()),
            by["q"].apply(lambda q: (q <= alpha).mean()), by["agreement"].mean())


@pytest.mark.parametrize(("measure", "n_subjects", "n_img"),
                         [("rsa", 8, 90), ("predictivity", 5, 40)])
def test_permutation_test_detects_the_brain_like_system_and_not_an_unrelated_one(
        measure: str, n_subjects: int, n_img: int) -> None:
    """Image-dependent strength, correlated trial noise, three repetitions, the stage's halves
    and layer choice. Fast tier, 3 worlds (30 region tests per system; predictivity in a
    smaller design to stay fast): the loose bounds of a small sample; the level itself is
    test_calibrated_alpha_holds_the_level."""
    rate, _, mean = null_and_power(measure, worlds=3, seed=6, n_subjects=n_subjects,
                                   n_img=n_img)
    assert rate["brain_like"] > 0.6
    assert rate["unrelated"] <= 0.2
    assert abs(mean["unrelated"]) < 0.15
    assert mean["brain_like"] > 0.6


@pytest.mark.slow
@pytest.mark.parametrize("measure", ["rsa", "predictivity"])
def test_calibrated_alpha_holds_the_level(measure: str) -> None:
    """The acceptance of issue 20: over 330 region tests of the unrelated system (33 worlds in
    the demo's design, seeds other than the calibration's), rejection at the calibrated alpha
    <= 0.07, by p and after BH, while the brain-like system is detected in most regions.
    Measured here (seed 20): unrelated 4.8 % (RSA) and 0.9 % (predictivity) at p, 0 % after
    BH; brain-like 98 % and 100 %. The calibration's own worlds (README): 4.3 % of 1000 (RSA),
    1.5 % of 330 (predictivity). Runtime: RSA about 20 s, predictivity about 2-4 min."""
    rate, rate_bh, mean = null_and_power(measure, worlds=33, seed=20)
    assert rate["unrelated"] <= 0.07
    assert rate_bh["unrelated"] <= 0.07
    assert abs(mean["unrelated"]) < 0.1
    assert rate["brain_like"] > 0.6


# --- committed demo results --------------------------------------------------------------

def test_committed_demo_results_meet_the_controls() -> None:
    path = ROOT / "results" / "analyses" / "alignment_patterns" / "summary.json"
    if not path.is_file():
        pytest.skip("results/analyses/alignment_patterns not built (dvc repro alignment-patterns)")
    s = json.loads(path.read_text())
    for measure in ("rsa", "predictivity"):
        m = s["measures"][measure]
        assert m["stability_mean"] > 0.8
        pos = m["systems"]["positive_control"]
        assert pos["agreement"] > 0.6
        assert abs(pos["chance_mean"]) < 0.05
        # above chance at the calibrated alpha in most regions (demo: RSA 10, predictivity 8
        # of 10)
        assert pos["regions_above_chance"] >= 0.7 * len(s["regions"])
        if measure == "predictivity":                      # plain already
            assert all(v["conventional_plain"] == v["conventional"]
                       for v in m["systems"].values())
        models = [v for k, v in m["systems"].items() if v["kind"] == "model"]
        assert all(v["agreement"] < pos["agreement"] for v in models)
