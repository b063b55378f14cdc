"""Human-human vs human-network comparison on simulated data with known truth.

Subjects share one true voxel-pattern structure (plus noise); the planted network either has
the true structure (no gap) or a partly different one (a gap). The corrected HH similarity is
about 1, the planted gap is recovered, and the tests are calibrated when there is no gap.
"""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import scipy.stats

from analysis.responses import BrainId, NetworkId, Responses
from analysis.stats.comparison import bootstrap_gap, gap, per_subject, similarities
from analysis.stats.inference import bootstrap_summary, disjoint_pairs, pair_tests

N_IMG, N_VOX = 120, 40


def brain(s: int, data: np.ndarray) -> Responses:
    """A subject's responses, data (n_img, n_vox, n_rep)."""
    return Responses(data, np.arange(data.shape[0]), np.arange(data.shape[1]), BrainId(s, "FFA"))


def network(name: str, acts: np.ndarray) -> Responses:
    return Responses.from_network(acts, np.arange(acts.shape[0]), np.arange(acts.shape[1]),
                                  NetworkId(name, "layer", True))


def _world(rng, rho, noise=1.0, n_sub=8):
    """True patterns (N_IMG, N_VOX); subjects = truth + noise; network features mix the truth
    with an unrelated pattern so that its profiles correlate ~rho with the truth's."""
    truth = rng.normal(size=(N_IMG, N_VOX)) + rng.normal(size=(N_IMG, 1))  # shared image effect
    brains = [brain(s, truth[:, :, None] + noise * rng.normal(size=(N_IMG, N_VOX, 3)))
              for s in range(1, n_sub + 1)]
    other = rng.normal(size=(N_IMG, N_VOX)) + rng.normal(size=(N_IMG, 1))
    net = rho * truth + np.sqrt(1 - rho**2) * other  # (N_IMG, units)
    return brains, [network("net", net)]


def test_corrected_hh_near_one_and_no_gap_for_a_true_network():
    rng = np.random.default_rng(0)
    brains, nets = _world(rng, rho=1.0)
    sim = similarities(brains, nets, np.arange(N_IMG))
    hh = sim[sim["kind"] == "hh"].groupby("measure")["r_corrected"].mean()
    assert hh["univariate"] == pytest.approx(1.0, abs=0.08)
    assert hh["multivariate"] == pytest.approx(1.0, abs=0.08)
    assert abs(gap(sim)["univariate"]) < 0.08 and abs(gap(sim)["multivariate"]) < 0.08


def test_planted_gap_is_recovered_and_detected():
    rng = np.random.default_rng(1)
    brains, nets = _world(rng, rho=0.5)
    sim = similarities(brains, nets, np.arange(N_IMG))
    g = gap(sim)
    assert g["univariate"] > 0.25 and g["multivariate"] > 0.25
    tests = pair_tests(disjoint_pairs(sim)).set_index("measure")
    assert (tests["p_t"] < 0.01).all() and (tests["t"] > 0).all()
    boot = bootstrap_summary(bootstrap_gap(brains, nets, N_IMG, 40, np.random.default_rng(0))["net"]["multivariate"])
    assert 0 < boot["ci_low"] < g["multivariate"] < boot["ci_high"]
    assert boot["p_boot"] == pytest.approx(2 / 41) == boot["p_boot_floor"]  # no replicate <= 0


def test_pair_tests_match_scipy_and_use_disjoint_pairs():
    rng = np.random.default_rng(2)
    brains, nets = _world(rng, rho=0.7)
    sim = similarities(brains, nets, np.arange(N_IMG))
    pairs = disjoint_pairs(sim)
    assert pairs["pair"].unique().tolist() == ["1-2", "3-4", "5-6", "7-8"]
    g = pairs[pairs["measure"] == "univariate"]
    row = pair_tests(pairs).set_index("measure").loc["univariate"]
    ref = scipy.stats.ttest_rel(g["hh"], g["hn"])
    assert row["t"] == pytest.approx(ref.statistic) and row["p_t"] == pytest.approx(ref.pvalue)
    assert row["df"] == 3
    assert row["cohen_d"] == pytest.approx(pg.compute_effsize(g["hh"], g["hn"], paired=True))


def test_all_subject_paired_t_would_be_anticonservative_but_pair_test_is_calibrated():
    naive, pair, n = 0, 0, 60
    for seed in range(n):
        brains, nets = _world(np.random.default_rng(100 + seed), rho=1.0, noise=1.5)
        sim = similarities(brains, nets, np.arange(N_IMG))
        ps = per_subject(sim)
        u = ps[ps["measure"] == "univariate"]
        naive += int(scipy.stats.ttest_rel(u["hh"], u["hn"]).pvalue < 0.05)
        t = pair_tests(disjoint_pairs(sim)).set_index("measure")
        pair += int(t.loc["univariate", "p_t"] < 0.05)
    assert naive / n > 0.15          # why the naive test is not used
    assert pair / n <= 0.12          # nominal 0.05, with Monte-Carlo slack


def test_bootstrap_interval_covers_zero_without_a_gap():
    covered, n = 0, 20
    for seed in range(n):
        brains, nets = _world(np.random.default_rng(200 + seed), rho=1.0, noise=1.5)
        b = bootstrap_summary(bootstrap_gap(brains, nets, N_IMG, 40, np.random.default_rng(seed))
                              ["net"]["univariate"])
        covered += int(b["ci_low"] <= 0 <= b["ci_high"])
    assert covered / n >= 0.8


def test_no_network_profile_gives_empty_tests_not_an_error():
    """At strict thresholds a network can have too few selected units for a profile."""
    rng = np.random.default_rng(5)
    brains, nets = _world(rng, rho=0.5)
    sim = similarities(brains, [nets[0].take(np.arange(2))], np.arange(N_IMG))  # 2 units
    assert (sim["kind"] == "hh").all()
    pairs = disjoint_pairs(sim)
    assert pairs.empty and list(pairs.columns) == ["measure", "pair", "hh", "hn"]
    assert pair_tests(pairs).empty
    assert np.isnan(gap(sim)["univariate"])


def test_missing_repetitions_keep_every_similarity_finite():
    """shared_images=shared_any: subjects saw some images once or twice. Every HH and HN
    similarity stays finite (the systems map and its MDS need them) and the true network still
    matches the brains."""
    import warnings

    rng = np.random.default_rng(5)
    brains, nets = _world(rng, rho=1.0)
    holey = []
    for b in brains:
        data = b.data.copy()
        for i in np.flatnonzero(rng.random(N_IMG) < 0.2):
            data[i, :, rng.integers(1, 3):] = np.nan
        holey.append(brain(b.system.subject, data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim = similarities(holey, nets, np.arange(N_IMG))
    assert np.isfinite(sim["r_corrected"]).all()
    assert abs(gap(sim)["univariate"]) < 0.1 and abs(gap(sim)["multivariate"]) < 0.1


def _untrained(name: str, acts: np.ndarray) -> Responses:
    return Responses.from_network(acts, np.arange(acts.shape[0]), np.arange(acts.shape[1]),
                                  NetworkId(name, "layer", False))


def test_network_groups_never_pool_trained_with_untrained():
    from analysis.stats.comparison import network_groups

    ids = [NetworkId("a", "l", True), NetworkId("r1", "l", False), NetworkId("b", "l", True),
           NetworkId("r2", "l", False)]
    assert network_groups(ids) == {"a": ("a",), "r1": ("r1",), "b": ("b",), "r2": ("r2",),
                                   "pooled_trained": ("a", "b"),
                                   "pooled_untrained": ("r1", "r2")}
    assert "pooled_untrained" not in network_groups(ids[::2])


def test_pooled_hn_weighs_models_equally():
    """A model with fewer pairs (a subject without a profile) counts as much as the others:
    the pooled HN is the mean of the models' means (reference computed by hand)."""
    from analysis.stats.comparison import hn_by_model

    sim = pd.DataFrame({"kind": ["hh", "hn", "hn", "hn"], "measure": "univariate",
                        "a_subject": [1, 1, 2, 1], "b_subject": [2, None, None, None],
                        "b_model": [None, "a", "a", "b"], "r_corrected": [0.9, 0.2, 0.4, 0.8]})
    assert hn_by_model(sim).loc["univariate"].to_dict() == pytest.approx({"a": 0.3, "b": 0.8})
    assert gap(sim)["univariate"] == pytest.approx(0.9 - (0.3 + 0.8) / 2)
    assert gap(sim, pd.Series({"a": 2, "b": 1}))["univariate"] == pytest.approx(
        0.9 - (2 * 0.3 + 0.8) / 3)


def test_per_model_gaps_separate_a_matching_trained_network_from_untrained_ones():
    """The review's case: one trained network shares the brains' profiles, two untrained ones
    do not. Pooled over all three the gap looks large; per model and pooled over trained
    networks only, the trained network shows no gap, and the untrained pool a large one."""
    from analysis.stats.comparison import POOLED_TRAINED, POOLED_UNTRAINED, restrict

    rng = np.random.default_rng(11)
    brains, nets = _world(rng, rho=1.0)
    truth_free = [_untrained(f"random{k}", rng.normal(size=(N_IMG, N_VOX)) +
                             rng.normal(size=(N_IMG, 1))) for k in (1, 2)]
    nets = nets + truth_free
    sim = similarities(brains, nets, np.arange(N_IMG))
    assert gap(sim)["univariate"] > 0.3                      # all pooled: misleading
    assert abs(gap(restrict(sim, ["net"]))["univariate"]) < 0.08
    boot = bootstrap_gap(brains, nets, N_IMG, 30, np.random.default_rng(1))
    assert set(boot) == {"net", "random1", "random2", POOLED_TRAINED, POOLED_UNTRAINED}
    trained = bootstrap_summary(boot[POOLED_TRAINED]["univariate"])
    untrained = bootstrap_summary(boot[POOLED_UNTRAINED]["univariate"])
    assert trained["ci_low"] <= 0 <= trained["ci_high"]
    assert untrained["ci_low"] > 0.3


def test_pooled_interval_covers_the_spread_between_models():
    """Models are a random effect: two trained networks with different HN give a pooled
    interval wider than either model's own, covering both models' gaps."""
    from analysis.stats.comparison import POOLED_TRAINED, restrict

    rng = np.random.default_rng(12)
    brains, good = _world(rng, rho=1.0)
    _, poor = _world(rng, rho=0.4)
    nets = [good[0], network("poor", poor[0].data[:, :, 0])]
    sim = similarities(brains, nets, np.arange(N_IMG))
    boot = bootstrap_gap(brains, nets, N_IMG, 60, np.random.default_rng(2))
    s = {k: bootstrap_summary(boot[k]["univariate"]) for k in ("net", "poor", POOLED_TRAINED)}
    width = {k: v["ci_high"] - v["ci_low"] for k, v in s.items()}
    assert width[POOLED_TRAINED] > 2 * max(width["net"], width["poor"])
    for model in ("net", "poor"):
        g = gap(restrict(sim, [model]))["univariate"]
        assert s[POOLED_TRAINED]["ci_low"] <= g <= s[POOLED_TRAINED]["ci_high"]


def test_reliability_guard_excludes_and_counts_unreliable_profiles():
    """A subject whose profiles are nearly all noise has reliabilities near 0: its corrected
    similarities would be sampling noise divided by a tiny number. Below the minimum it gets
    none (its raw r stays), its pairs are counted as excluded, and the others are unchanged."""
    from analysis.stats.comparison import Method
    from analysis.stats.region_comparison import reliability, summarise

    rng = np.random.default_rng(21)
    brains, nets = _world(rng, rho=1.0)
    noisy = brain(9, brains[0].data.mean(2, keepdims=True) * 0.02
                  + 3.0 * rng.normal(size=(N_IMG, N_VOX, 3)))
    systems = brains + [noisy]
    floor = 0.5  # the noisy subject's reliabilities are about 0.1-0.2, the others' above 0.9
    rel = reliability(noisy, Method(min_reliability=floor))
    assert rel["rel_univariate_split_half"] < floor and rel["excluded_univariate"]
    assert not reliability(brains[0], Method(min_reliability=floor))["excluded_univariate"]
    guarded = similarities(systems, nets, np.arange(N_IMG), Method(min_reliability=floor))
    open_ = similarities(systems, nets, np.arange(N_IMG), Method(min_reliability=0.0))
    mine = (guarded["a_subject"] == 9) | (guarded["b_subject"] == 9)
    uni = guarded["measure"] == "univariate"
    assert guarded.loc[mine & uni, "r_corrected"].isna().all()
    assert guarded.loc[mine & uni, "r"].notna().all()
    assert np.allclose(guarded.loc[~mine, "r_corrected"], open_.loc[~mine, "r_corrected"],
                       equal_nan=True)
    row = next(r for r in summarise(guarded, {"net": ("net",)}, None, 0.95)
               if r["measure"] == "univariate")
    assert row["n_hh_excluded"] == 8 and row["n_hn_excluded"] == 1  # 8 HH pairs, 1 HN pair
    assert row["hh_mean"] == pytest.approx(guarded.loc[~mine & uni & (guarded["kind"] == "hh"),
                                                       "r_corrected"].mean())
    assert np.isfinite(row["hh_raw_mean"]) and row["hh_raw_mean"] < row["hh_mean"]


def test_bootstrap_replicates_equal_the_pair_table_gap():
    """The bootstrap's table-free hot loop gives, replicate by replicate, the gap that
    pair_table + gap give for the same draws (the reference)."""
    from analysis.stats.comparison import (
        network_groups,
        pair_table,
        prepare,
        prepare_all,
        profile,
        profiles,
    )

    rng = np.random.default_rng(31)
    brains, nets = _world(rng, rho=0.7)
    nets = nets + [_untrained("r1", rng.normal(size=(N_IMG, N_VOX))),
                   _untrained("r2", rng.normal(size=(N_IMG, N_VOX))),
                   network("net2", rng.normal(size=(N_IMG, N_VOX)))]
    boot = bootstrap_gap(brains, nets, N_IMG, 4, np.random.default_rng(7),
                         model_rng=np.random.default_rng(8))
    r, mr = np.random.default_rng(7), np.random.default_rng(8)
    groups = network_groups([n.system for n in nets])
    for b in range(4):
        idx = np.sort(r.integers(0, N_IMG, N_IMG))
        pick = r.choice(len(brains), len(brains), replace=True)
        drawn = [(brains[k].system, profile(prepare(brains[k]), idx)) for k in pick]
        table = pair_table(drawn, profiles(prepare_all(nets), idx))
        for g, models in groups.items():
            draw = mr.choice(len(models), len(models), replace=True) if len(models) > 1 else [0]
            expected = gap(table, pd.Series(models).iloc[draw].value_counts())
            assert boot[g].iloc[b].to_dict() == pytest.approx(expected, rel=1e-10), (b, g)


def test_bootstrap_summary_without_any_finite_replicate_is_missing_not_an_error():
    """A network without a profile in a region gives NaN gaps in every replicate."""
    s = bootstrap_summary(np.full(50, np.nan))
    assert s["n_boot"] == 0 and np.isnan(s["ci_low"]) and np.isnan(s["p_boot"])


def test_a_group_without_profiles_says_why():
    from analysis.stats.region_comparison import summarise

    rng = np.random.default_rng(41)
    brains, nets = _world(rng, rho=0.5)
    tiny = _untrained("r1", rng.normal(size=(N_IMG, 2)))  # 2 units: no profile
    sim = similarities(brains, nets + [tiny], np.arange(N_IMG))
    rows = summarise(sim, {"net": ("net",), "r1": ("r1",)}, None, 0.95)
    notes = {r["networks"]: r["note"] for r in rows}
    assert notes["net"] == "" and "no network of the group has >= 3" in notes["r1"]


def test_stacked_brain_profiles_equal_profile_one_brain_at_a_time():
    """The bootstrap's stacked path gives profile()'s values; with a missing repetition or the
    correlation distance it steps aside (None) and profile() is used."""
    from analysis.stats.comparison import (
        Method,
        _stack,
        _stack_profiles,
        prepare,
        profile,
    )
    from analysis.stats.profiles import pair_positions

    rng = np.random.default_rng(51)
    brains, _ = _world(rng, rho=0.5)
    prepared = [prepare(b, Method(min_reliability=0.05)) for b in brains]
    stack = _stack(prepared)
    assert stack is not None
    for seed in range(3):
        idx = np.sort(np.random.default_rng(seed).integers(0, N_IMG, N_IMG))
        pos = pair_positions(idx, N_IMG)
        for p, got in zip(prepared, _stack_profiles(stack, idx, pos)):
            ref = profile(p, idx, pos)
            np.testing.assert_allclose(got.univariate, ref.univariate, rtol=1e-12)
            np.testing.assert_array_equal(got.multivariate, ref.multivariate)
            assert got.rel_univariate == pytest.approx(ref.rel_univariate, rel=1e-10)
            assert got.rel_multivariate == pytest.approx(ref.rel_multivariate, rel=1e-10)
    assert _stack([prepare(b, Method("correlation")) for b in brains]) is None
    data = brains[0].data.copy()
    data[0, :, 2] = np.nan
    gappy = brain(1, data)
    assert _stack([prepare(gappy)] + prepared[1:]) is None
