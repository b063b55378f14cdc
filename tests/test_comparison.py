"""Human-human (HH) vs human-network (HN) similarity: the pair table, the ratio-of-means
estimators and the region's stats table, against hand computations and scipy, and on the
simulated worlds of analysis/validation/worlds.py (image strength varying across images, noise
correlated across voxels, NSD's ncsnr range, three repetitions, arbitrary unit scales).

Point estimates only: the inference (bias, intervals, p; calibration under the null, coverage of
a planted gap) is tested in tests/test_gap_inference.py; here only its wiring into the region's
table.
"""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from scipy.spatial.distance import pdist

from analysis.methods.profiles import sq_euclidean_rdm, standardized_channels
from analysis.responses import BrainId, NetworkId, Responses
from analysis.stats.comparison import (
    MEASURES,
    POOLED_TRAINED,
    POOLED_UNTRAINED,
    Method,
    gap,
    group_means,
    network_groups,
    norm,
    pair_table,
    prepare,
    prepare_all,
    profile,
    profiles,
    ratio_of_means,
    restrict,
    similarities,
)
from analysis.validation.worlds import Design, null_world

N_IMG, N_VOX = Design().n_images, Design().n_voxels
IDX = np.arange(N_IMG)


def brain(s: int, data: np.ndarray) -> Responses:
    """A subject's responses, data (n_img, n_vox, n_rep)."""
    return Responses(data, np.arange(data.shape[0]), np.arange(data.shape[1]), BrainId(s, "FFA"))


def network(name: str, acts: np.ndarray, trained: bool = True) -> Responses:
    """A network's units, acts (n_img, n_units)."""
    return Responses.from_network(acts, np.arange(acts.shape[0]), np.arange(acts.shape[1]),
                                  NetworkId(name, "layer", trained))


def _untrained(name: str, acts: np.ndarray) -> Responses:
    return network(name, acts, trained=False)


def _noise_subject(rng: np.random.Generator, subject: int, n_img: int = N_IMG,
                   n_vox: int = N_VOX) -> Responses:
    """A subject without any signal (true reliability 0), z-scored per voxel like the worlds'."""
    x = rng.normal(size=(n_img, n_vox, 3))
    return brain(subject, (x - x.mean((0, 2), keepdims=True)) / x.std((0, 2), keepdims=True))


def _mixed_network(seed: int, weight: float) -> tuple[list[Responses], Responses, Responses]:
    """A null world's subjects, its noise-free truth (the positive control) and a network
    whose standardized units are ``weight`` x the truth's plus sqrt(1 - weight^2) x an
    unrelated world's: (brains, truth, network)."""
    brains, _, truth = null_world(np.random.default_rng(seed))
    _, other, _ = null_world(np.random.default_rng(1000 + seed))
    acts = (weight * standardized_channels(truth.data[:, :, 0])
            + np.sqrt(1 - weight**2) * standardized_channels(other.data[:, :, 0]))
    return brains, truth, network("mixed", acts)


# ---- the pair table ---------------------------------------------------------------------------

def test_norm_clips_negative_reliabilities_at_zero_and_keeps_undefined_ones_undefined():
    assert norm(0.64, 0.25) == pytest.approx(0.4) and norm(0.81) == pytest.approx(0.9)
    assert norm(-0.2, 0.5) == 0.0 and norm(0.5, -0.01) == 0.0
    assert np.isnan(norm(np.nan, 0.5)) and np.isnan(norm(0.5, np.nan))


def test_pair_table_columns_and_values_against_scipy():
    """Every HH and HN pair once; r is the Pearson r of the profiles (univariate: the mean over
    voxels and repetitions, and over the network's z-scored units; multivariate: the
    cross-validated RDM against the squared Euclidean RDM of the z-scored units, per unit),
    norm = sqrt(rel_a rel_b) with the split-half Spearman-Brown reliability computed here by
    hand, r_corrected = r / norm."""
    brains, net, _ = null_world(np.random.default_rng(0))
    brains = brains[:3]
    sim = similarities(brains, [net], IDX)
    assert list(sim.columns) == ["kind", "a_subject", "a_region", "b_subject", "b_region",
                                 "b_model", "b_layer", "b_trained", "b_units", "measure", "r",
                                 "norm", "r_corrected"]
    assert sim.groupby(["measure", "kind"]).size().to_dict() == {
        ("multivariate", "hh"): 3, ("multivariate", "hn"): 3,
        ("univariate", "hh"): 3, ("univariate", "hn"): 3}
    assert sim["a_subject"].dtype == "Int64"

    def split_half(x):  # (n_img, n_vox, 3) -> reliability of the 3-repetition mean profile
        reps = x.mean(1)
        r1 = np.mean([scipy.stats.pearsonr(reps[:, a], reps[:, b]).statistic
                      for a, b in ((0, 1), (0, 2), (1, 2))])
        return 3 * r1 / (1 + 2 * r1)

    units = scipy.stats.zscore(net.data[:, :, 0], axis=0)
    uni = sim[sim["measure"] == "univariate"]
    hn = uni[(uni["kind"] == "hn") & (uni["a_subject"] == 2)].iloc[0]
    b = brains[1].data
    assert hn["r"] == pytest.approx(scipy.stats.pearsonr(b.mean((1, 2)), units.mean(1)).statistic,
                                    rel=1e-10)
    assert hn["norm"] == pytest.approx(np.sqrt(split_half(b)), rel=1e-10)
    hh = uni[(uni["kind"] == "hh") & (uni["a_subject"] == 1) & (uni["b_subject"] == 3)].iloc[0]
    assert hh["norm"] == pytest.approx(np.sqrt(split_half(brains[0].data)
                                               * split_half(brains[2].data)), rel=1e-10)
    assert (sim["r_corrected"] == sim["r"] / sim["norm"]).all()
    multi = sim[(sim["measure"] == "multivariate") & (sim["kind"] == "hn")
                & (sim["a_subject"] == 2)].iloc[0]
    net_rdm = pdist(units, "sqeuclidean") / units.shape[1]
    assert multi["r"] == pytest.approx(scipy.stats.pearsonr(
        prepare(brains[1]).rdm, net_rdm).statistic, rel=1e-10)


def test_a_network_with_too_few_varying_units_has_no_profile():
    """Three units, two of them constant: no profile (prepare returns None), and the pair
    table then has HH rows only, the gap is NaN and the HN table is empty, no error."""
    brains, net, _ = null_world(np.random.default_rng(1))
    acts = np.c_[net.data[:, :3, 0], np.ones((N_IMG, 2)), np.full((N_IMG, 1), 3.0)]
    assert prepare(network("six", acts)) is not None           # 3 varying units
    flat = network("flat", np.c_[acts[:, :1], np.ones((N_IMG, 2))])
    assert prepare(flat) is None                                # 1 varying unit of 3
    sim = similarities(brains, [flat, network("two", acts[:, :2])], IDX)
    assert (sim["kind"] == "hh").all() and len(sim) == 2 * 28
    assert np.isnan(gap(sim)["univariate"]) and group_means(sim)[1].empty


def test_missing_repetitions_keep_every_similarity_finite():
    """shared_images=shared_any: subjects saw some images once or twice. Every r, norm and
    corrected similarity stays finite (the systems map and its MDS need them) and the true
    network still matches the brains."""
    rng = np.random.default_rng(5)
    brains, net, _ = null_world(rng)
    holey = []
    for b in brains:
        data = b.data.copy()
        for i in np.flatnonzero(rng.random(N_IMG) < 0.2):
            data[i, :, rng.integers(1, 3):] = np.nan
        holey.append(brain(b.system.subject, data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim = similarities(holey, [net], IDX)
    assert np.isfinite(sim[["r", "norm", "r_corrected"]].to_numpy()).all()
    assert abs(gap(sim)["univariate"]) < 0.1 and abs(gap(sim)["multivariate"]) < 0.1


# ---- ratios of means and group values ---------------------------------------------------------

def test_ratio_of_means_by_hand():
    r = np.array([0.2, 0.4, np.nan, 0.3, -0.1])
    n = np.array([0.5, 0.8, 0.6, np.nan, 0.2])
    assert ratio_of_means(r, n) == pytest.approx((0.2 + 0.4 - 0.1) / (0.5 + 0.8 + 0.2))
    assert ratio_of_means(pd.Series(r), pd.Series(n)) == pytest.approx(0.5 / 1.5)
    assert np.isnan(ratio_of_means([0.3, 0.2], [0.0, 0.0]))  # no positive norm
    assert np.isnan(ratio_of_means([], []))


def test_ratio_of_means_is_the_per_pair_mean_when_all_norms_are_equal():
    r = np.random.default_rng(2).uniform(-0.2, 0.9, 12)
    assert ratio_of_means(r, np.full(12, 0.6)) == pytest.approx(np.mean(r / 0.6), rel=1e-12)


def _table(rows):
    """A pair table from (kind, a_subject, b_subject, b_model, r, norm) rows."""
    return pd.DataFrame(rows, columns=["kind", "a_subject", "b_subject", "b_model", "r",
                                       "norm"]).assign(measure="univariate")


def test_group_means_and_gap_by_hand_with_models_weighing_equally():
    """HH = sum r / sum norm over its pairs; each model's HN the same over its pairs; the gap
    subtracts the mean over models (a model with fewer pairs, here b without subject 2's
    profile, counts as much as the others)."""
    sim = _table([("hh", 1, 2, None, 0.45, 0.5), ("hh", 1, 3, None, 0.30, 0.4),
                  ("hn", 1, None, "a", 0.10, 0.5), ("hn", 2, None, "a", 0.30, 0.75),
                  ("hn", 1, None, "b", 0.40, 0.5)])
    hh, hn = group_means(sim)
    assert hh["univariate"] == pytest.approx(0.75 / 0.9) and np.isnan(hh["multivariate"])
    assert hn.loc["univariate"].to_dict() == pytest.approx({"a": 0.4 / 1.25, "b": 0.8})
    assert gap(sim)["univariate"] == pytest.approx(0.75 / 0.9 - (0.32 + 0.8) / 2)
    assert gap(restrict(sim, ["b"]))["univariate"] == pytest.approx(0.75 / 0.9 - 0.8)


def test_network_groups_never_pool_trained_with_untrained():
    ids = [NetworkId("a", "l", True), NetworkId("r1", "l", False), NetworkId("b", "l", True),
           NetworkId("r2", "l", False)]
    assert network_groups(ids) == {"a": ("a",), "r1": ("r1",), "b": ("b",), "r2": ("r2",),
                                   POOLED_TRAINED: ("a", "b"),
                                   POOLED_UNTRAINED: ("r1", "r2")}
    assert POOLED_UNTRAINED not in network_groups(ids[::2])


def test_a_true_network_has_corrected_hh_and_hn_about_one_and_no_gap():
    """10 null worlds (the network is the truth times random unit scales): corrected HH and HN
    about 1 in every world and the gap about 0 on average (point estimates; their small-sample
    bias of about +0.01 is removed by the inference). Multivariate HH varies most: a subject
    with real signal whose RDM reliability is estimated below 0 adds its r but no norm (one
    world reaches 1.20, its interval [0.75, 1.60])."""
    rows = []
    for seed in range(10):
        brains, net, _ = null_world(np.random.default_rng(seed))
        sim = similarities(brains, [net], IDX)
        hh, hn = group_means(sim)
        g = gap(sim)
        rows += [(m, hh[m], hn.loc[m, "net"], g[m]) for m in MEASURES]
    t = pd.DataFrame(rows, columns=["measure", "hh", "hn", "gap"]).groupby("measure")
    worst = t["hh"].apply(lambda x: np.abs(x - 1).max())
    assert worst["univariate"] < 0.1 and worst["multivariate"] < 0.25
    assert (t["hn"].apply(lambda x: np.abs(x - 1).max()) < 0.1).all()
    assert (t["hh"].mean() - 1).abs().max() < 0.05
    assert t["gap"].mean().abs().max() < 0.03


def test_network_rdms_are_scale_free_where_raw_units_are_biased():
    """The truth times a random scale per unit (log-SD 1) is the truth: over 40 null worlds the
    gap is about 0 for both measures; built from the raw units instead, the network's RDM
    (a few large units dominate) gives a spurious multivariate gap (the review: +0.18)."""
    scale_free, raw = [], []
    for seed in range(40):
        brains, net, _ = null_world(np.random.default_rng(100 + seed))
        pb = profiles(prepare_all(brains), IDX)
        own = profile(prepare(net), IDX)
        g = gap(pair_table(pb, [(net.system, own)]))
        scale_free.append([g[m] for m in MEASURES])
        raw_rdm = dataclasses.replace(own, multivariate=sq_euclidean_rdm(net.data[:, :, 0]))
        raw.append(gap(pair_table(pb, [(net.system, raw_rdm)]))["multivariate"])
    uni, multi = np.mean(scale_free, axis=0)
    assert abs(uni) < 0.02 and abs(multi) < 0.02  # the point estimator's bias, about +0.01
    assert np.mean(raw) > 0.1 and np.mean(raw) > multi + 0.08


def test_planted_gap_is_recovered():
    """A network mixing the truth with unrelated features (weight 0.6): its gap equals the
    noise-free one on the same images, 1 - r(truth's profile, network's profile), for both
    measures (mean over 10 worlds within 0.05; clearly positive in each)."""
    est, true = [], []
    for seed in range(10):
        brains, truth, net = _mixed_network(seed, 0.6)
        pt, pn = profile(prepare(truth), IDX), profile(prepare(net), IDX)
        g = gap(similarities(brains, [net], IDX))
        est.append([g[m] for m in MEASURES])
        true.append([1 - pair_table([(truth.system, pt)], [(net.system, pn)], hh=False)
                     .set_index("measure").loc[m, "r"] for m in MEASURES])
    est, true = np.array(est), np.array(true)
    assert (true > 0.25).all() and (est > 0.2).all()
    assert np.abs(est.mean(0) - true.mean(0)).max() < 0.05


# ---- unreliable subjects --------------------------------------------------------------------

def test_reliabilities_of_a_subject_without_signal_are_kept_as_estimated():
    """A pure-noise subject's reliability estimates scatter around 0, negative ones included
    (not clipped, not NaN): the noise correction, not the estimate, clips them at 0."""
    from analysis.stats.region_comparison import reliability

    rel = pd.DataFrame([reliability(_noise_subject(np.random.default_rng(s), 1))
                        for s in range(20)])
    assert list(rel.columns) == ["n_voxels", "rel_univariate_split_half",
                                 "rel_univariate_ncsnr", "rel_multivariate"]
    for col in ("rel_univariate_split_half", "rel_multivariate"):
        assert rel[col].notna().all() and (rel[col] < 0).sum() >= 5
        assert abs(rel[col].mean()) < 0.1


def test_a_subject_with_a_tiny_or_negative_reliability_is_kept_and_barely_moves_hh():
    """A pure-noise ninth subject whose reliability is estimated as 0.002 or -0.05 (values
    sampling error gives): its pairs stay in the table (norm 0 for the negative estimate) and
    the corrected HH moves by less than 0.08 in each of 8 null worlds, and by nearly the same
    for both estimates. The per-pair mean of r / norm (the paper's estimator, which needed a
    reliability floor) is blown up by the tiny estimate: 0.2 or more on average."""
    ratio_moves, per_pair_moves = [], []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        brains, net, _ = null_world(rng)
        pb = profiles(prepare_all(brains + [_noise_subject(rng, 9)]), IDX)
        pn = profiles(prepare_all([net]), IDX)
        base = pair_table(pb[:-1], pn)
        hh0 = group_means(base)[0]
        moved = {}
        for rel in (0.002, -0.05):
            weak = dataclasses.replace(pb[-1][1], rel_univariate=rel, rel_multivariate=rel)
            sim = pair_table(pb[:-1] + [(pb[-1][0], weak)], pn)
            mine = (sim["a_subject"] == 9) | (sim["b_subject"] == 9)
            assert mine.sum() == 2 * (8 + 1) and sim.loc[mine, "r"].notna().all()
            if rel < 0:
                assert (sim.loc[mine, "norm"] == 0).all()
                assert sim.loc[mine, "r_corrected"].isna().all()
            hh = group_means(sim)[0]
            moved[rel] = np.array([hh[m] - hh0[m] for m in MEASURES])
            if rel > 0:
                per_pair_moves.append([
                    sim[(sim["kind"] == "hh") & (sim["measure"] == m)]["r_corrected"].mean()
                    - base[(base["kind"] == "hh") & (base["measure"] == m)]["r_corrected"]
                    .mean() for m in MEASURES])
        assert np.abs(moved[0.002] - moved[-0.05]).max() < 0.03
        ratio_moves.append(moved[0.002])
    assert np.abs(ratio_moves).max() < 0.08
    assert np.abs(per_pair_moves).mean() > 0.2


# ---- the region's table ---------------------------------------------------------------------

def test_a_group_without_profiles_says_why():
    from analysis.stats.region_comparison import summarise

    brains, net, _ = null_world(np.random.default_rng(41))
    tiny = _untrained("r1", net.data[:, :2, 0])  # 2 units: no profile
    sim = similarities(brains, [net, tiny], IDX)
    table = summarise(sim, {"net": ("net",), "r1": ("r1",)}, None)
    notes = table.groupby("networks")["note"].first()
    assert notes["net"] == "" and "no network of the group has >= 3" in notes["r1"]
    assert table.loc[table["networks"] == "r1", ["hn_mean", "gap"]].isna().all().all()
    assert table.loc[table["networks"] == "r1", "n_hn"].eq(0).all()
    one = summarise(similarities(brains[:1], [net], IDX), {"net": ("net",)}, None)
    assert one["note"].str.contains("fewer than 2 subjects").all()


def test_a_matching_trained_network_is_not_hidden_by_pooling_with_untrained_ones():
    """The review's case: one trained network is the truth, two untrained ones are unrelated.
    Pooled over all three the gap would look large; the trained pool shows none and the
    untrained pool a large one, with intervals that say so."""
    from analysis.stats.region_comparison import inference

    rng = np.random.default_rng(11)
    brains, net, _ = null_world(rng)
    unrelated = [_untrained(f"random{k}", null_world(rng)[1].data[:, :, 0]) for k in (1, 2)]
    nets = [net] + unrelated
    sim = similarities(brains, nets, IDX)
    assert gap(sim)["univariate"] > 0.3                       # all pooled: misleading
    assert abs(gap(restrict(sim, ["net"]))["univariate"]) < 0.05
    t = inference(brains, nets, 100, 0.95, Method(), np.random.default_rng(1)).set_index(
        ["networks", "measure"])
    assert set(t.index.get_level_values(0)) == {"net", "random1", "random2", POOLED_TRAINED,
                                                POOLED_UNTRAINED}
    for m in MEASURES:
        trained, untrained = t.loc[(POOLED_TRAINED, m)], t.loc[(POOLED_UNTRAINED, m)]
        assert trained["gap_ci_low"] < 0.05 and trained["gap_ci_high"] > -0.05
        assert abs(trained["gap_estimate_corrected"]) < 0.05
        assert untrained["gap_ci_low"] > 0.5 and untrained["gap_p"] < 0.05


def test_pooled_interval_covers_the_spread_between_models():
    """Models are a random effect: two trained networks with different HN give a pooled
    interval wider than either model's own, covering both models' gaps."""
    from analysis.stats.region_comparison import inference

    brains, truth, poor = _mixed_network(12, 0.6)
    nets = [network("good", truth.data[:, :, 0]), poor]
    sim = similarities(brains, nets, IDX)
    t = inference(brains, nets, 100, 0.95, Method(), np.random.default_rng(2)).set_index(
        ["networks", "measure"])
    for m in MEASURES:
        width = {g: t.loc[(g, m), "gap_ci_high"] - t.loc[(g, m), "gap_ci_low"]
                 for g in ("good", "mixed", POOLED_TRAINED)}
        assert width[POOLED_TRAINED] > 2 * max(width["good"], width["mixed"])
        pooled = t.loc[(POOLED_TRAINED, m)]
        for model in ("good", "mixed"):
            g = gap(restrict(sim, [model]))[m]
            assert pooled["gap_ci_low"] <= g <= pooled["gap_ci_high"]


def test_compare_region_table_joins_the_inference_of_the_published_layers():
    """compare_region's stats: point estimates (ratios of means) for both layer choices, and
    for the published layers the inference of region_comparison.inference with the same
    random stream (columns hh_/hn_/gap_ + bias ... se_naive, n_boot); none for the
    cross-validated choice (no bootstrap)."""
    from analysis.stats.region_comparison import INFERRED_COLUMNS, compare_region, inference

    brains, net, _ = null_world(np.random.default_rng(7))
    other = _untrained("rand", null_world(np.random.default_rng(8))[1].data[:, :, 0])
    nets = [net, other]
    by_layer = {"net": {"l1": other.relabel(net.system), "l2": net}, "rand": {"l1": other}}
    res = compare_region(brains, nets, by_layer, 100, 0.95, Method(), np.random.default_rng(3),
                         np.random.default_rng(4))
    s = res.stats
    assert list(s.columns[:12]) == ["layer_choice", "networks", "n_models", "measure",
                                    "hh_mean", "hn_mean", "gap", "n_hh", "n_hn",
                                    "hh_raw_mean", "hn_raw_mean", "note"]
    assert set(INFERRED_COLUMNS) <= set(s.columns)
    assert set(s["networks"]) == {"net", "rand", POOLED_TRAINED, POOLED_UNTRAINED}
    pub = s[s["layer_choice"] == "published"].set_index(["networks", "measure"])
    ref = inference(brains, nets, 100, 0.95, Method(), np.random.default_rng(3)).set_index(
        ["networks", "measure"])
    for col in INFERRED_COLUMNS:
        np.testing.assert_allclose(pub.loc[ref.index, col], ref[col], rtol=1e-12)
    g = gap(similarities(brains, nets, IDX))  # mean over both models
    assert pub.loc[("net", "univariate"), "gap"] == pytest.approx(
        gap(restrict(similarities(brains, nets, IDX), ["net"]))["univariate"])
    assert g["univariate"] == pytest.approx(
        pub.loc[("net", "univariate"), "hh_mean"]
        - (pub.loc[("net", "univariate"), "hn_mean"]
           + pub.loc[("rand", "univariate"), "hn_mean"]) / 2)
    cv = s[s["layer_choice"] == "cv"]
    assert cv[INFERRED_COLUMNS].isna().all().all() and cv["gap"].notna().all()
    assert (res.chosen_layers.query("model == 'net'")["layer"] == "l2").all()
    assert set(res.similarities["layer_choice"]) == {"published", "cv"}


def test_with_method_names_the_subjects_whose_reliability_is_undefined():
    """The paper's correlation distance leaves a subject without an RDM reliability (here a
    pure-noise one whose single-repetition RDMs do not correlate) out of its noise correction;
    with_method lists it."""
    from analysis.stats.region_comparison import reliability, with_method

    brains, net, _ = null_world(np.random.default_rng(9))
    noise = next(b for b in (_noise_subject(np.random.default_rng(s), 9) for s in range(20))
                 if np.isnan(reliability(b, Method("correlation"))["rel_multivariate"]))
    t = with_method(brains + [noise], [net], Method("correlation"))
    assert t["subjects_without_reliability"].tolist() == ["9", "9"]  # net, pooled_trained
    assert (t["rdm_distance"] == "correlation").all() and (t["measure"] == "multivariate").all()
    assert t.set_index("networks").loc["net", "n_hh"] == 36
    clean = with_method(brains, [net], Method("correlation"))
    assert (clean["subjects_without_reliability"] == "").all()
