"""Finding 1's comparative test (analysis.stats.localizer_comparative): the bootstrap's
replicates against scipy on the resampled images, the comparison against statsmodels'
prediction interval and a closed form, and simulated worlds in which only a low-level face
feature is shared by both image sets (analysis/validation/localizer.py, whose numbers the
validation stage reports): the per-network permutation test fires, the comparison with matched
untrained networks does not; planted category information is found."""

from dataclasses import replace

import numpy as np
import pytest
import scipy.stats

from analysis.methods.localizer import category_t, generalisation
from analysis.methods.standardize import zscore_columns
from analysis.stats.localizer_comparative import (
    compare_to_untrained,
    stratified_bootstrap_weights,
    top_k_generalisation,
)
from analysis.stats.localizer_tables import top_k
from analysis.validation.localizer import (
    CATS,
    LocalizerDesign,
    bootstrap_realisations,
    comparison_worlds,
    rejection_rates,
    sd_ratio,
)


def test_bootstrap_weights_resample_within_each_label():
    labels = np.repeat(["a", "b", "c"], [5, 8, 3])
    w = stratified_bootstrap_weights(labels, 4000, np.random.default_rng(0))
    assert w.shape == (4000, 16) and np.array_equal(w, np.round(w))
    for lab, n in (("a", 5), ("b", 8), ("c", 3)):
        assert (w[:, labels == lab].sum(1) == n).all()
        # a multinomial count of n draws with p = 1/n: mean 1, variance 1 - 1/n
        assert w[:, labels == lab].mean() == pytest.approx(1, abs=0.03)
        assert w[:, labels == lab].var() == pytest.approx(1 - 1 / n, rel=0.06)
    with pytest.raises(ValueError, match="draws = 0"):
        stratified_bootstrap_weights(labels, 0, np.random.default_rng(0))


def _sets(seed: int):
    rng = np.random.default_rng(seed)
    l1 = np.repeat(["faces", "bodies", "places", "objects", "scrambled"], 12)
    l2 = np.repeat(["faces", "bodies", "places", "objects"], 8)
    x1 = np.maximum(rng.normal(size=(60, 300)) + rng.normal(size=(60, 1)), 0)
    x2 = np.maximum(rng.normal(size=(32, 300)) + rng.normal(size=(32, 1)), 0)
    x1[l1 == "faces", :20] += 1
    x2[l2 == "faces", :20] += 1
    x1[:, 5], x2[:, 7] = 0.0, 3.0  # constant units: no t, never z-scored
    return x1, l1, x2, l2


def test_replicates_equal_scipy_on_the_resampled_images():
    x1, l1, x2, l2 = _sets(0)
    rng = np.random.default_rng(1)
    w1 = np.vstack([np.ones(60), stratified_bootstrap_weights(l1, 4, rng)])
    w2 = np.vstack([np.ones(32), stratified_bootstrap_weights(l2, 4, rng)])
    got = top_k_generalisation(x1, l1, CATS, x2, l2, ["faces", "places"], 25, w1, w2)
    for row in range(5):
        i1, i2 = np.repeat(np.arange(60), w1[row].astype(int)), np.repeat(np.arange(32),
                                                                          w2[row].astype(int))
        a, la, b, lb = x1[i1], l1[i1], x2[i2], l2[i2]
        for cat in ("faces", "places"):
            keep = np.isin(la, CATS)
            t1 = scipy.stats.ttest_ind(a[keep & (la == cat)], a[keep & (la != cat)],
                                       equal_var=False).statistic
            top = np.argsort(-np.where(np.isfinite(t1), t1, -np.inf))[:25]
            pop = zscore_columns(b)[:, top].mean(1)
            ref = scipy.stats.ttest_ind(pop[lb == cat], pop[lb != cat], equal_var=False)
            assert got[cat][row] == pytest.approx(ref.statistic, rel=1e-9), (row, cat)


def test_observed_row_is_the_threshold_statistic_of_the_top_k_set():
    x1, l1, x2, l2 = _sets(2)
    t1 = category_t(x1, l1, CATS)["faces"]
    mask = top_k(t1, 25, np.isfinite(t1))
    ref = generalisation(x1, l1, CATS, zscore_columns(x2), l2, "faces", mask, np.isfinite(t1),
                         5, np.random.default_rng(0))["t"]
    got = top_k_generalisation(x1, l1, CATS, x2, l2, ["faces"], 25, np.ones((1, 60)),
                               np.ones((1, 32)))["faces"][0]
    assert got == pytest.approx(ref, rel=1e-9)
    with pytest.raises(ValueError, match="unit_localizer.top_k"):
        top_k_generalisation(x1, l1, CATS, x2, l2, ["faces"], 301, np.ones(60), np.ones(32))
    with pytest.raises(ValueError, match="one row per replicate"):
        top_k_generalisation(x1, l1, CATS, x2, l2, ["faces"], 5, np.ones((2, 60)),
                             np.ones(32))


def test_without_replicates_it_is_the_prediction_interval_of_a_new_seed():
    import statsmodels.api as sm
    untrained = np.array([3.1, 5.4, 4.2, 6.0])
    value, alpha = 9.5, 0.05
    got = compare_to_untrained(value, untrained, alpha)
    fit = sm.OLS(untrained, np.ones((4, 1))).fit()
    low, high = fit.get_prediction(np.ones((1, 1))).conf_int(obs=True, alpha=2 * alpha)[0]
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((value - high, value - low))
    se = untrained.std(ddof=1) * np.sqrt(1 + 1 / 4)
    assert got["p_vs_untrained"] == pytest.approx(
        scipy.stats.t.sf((value - untrained.mean()) / se, 3))
    assert got["df_difference"] == pytest.approx(3) and got["n_untrained"] == 4
    one = compare_to_untrained(value, untrained[:1], alpha)
    assert one["difference"] == pytest.approx(value - 3.1) and np.isnan(one["p_vs_untrained"])
    assert np.isnan(compare_to_untrained(value, [], alpha)["difference"])


def test_bootstrap_and_seed_variance_closed_form():
    rng = np.random.default_rng(3)
    reps, u_reps = rng.normal(10, 1, 50), rng.normal([[4.0], [5.0], [7.0]], 0.5, (3, 50))
    untrained = np.array([4.0, 5.0, 7.0])
    got = compare_to_untrained(10.0, untrained, 0.05, reps, u_reps)
    v_boot = np.var(reps - u_reps.mean(0), ddof=1)
    v_images = np.mean(np.var(u_reps - untrained[:, None], 0, ddof=1))
    tau2 = np.var(untrained, ddof=1) - v_images  # 2.33 - 0.25: the seeds differ
    var = v_boot + (4 / 3) * tau2
    df = var**2 / ((4 / 3) * np.var(untrained, ddof=1)) ** 2 * 2
    assert got["seed_sd"] == pytest.approx(np.sqrt(tau2))
    assert got["se_difference"] == pytest.approx(np.sqrt(var))
    assert got["df_difference"] == pytest.approx(df)
    assert got["p_vs_untrained"] == pytest.approx(
        scipy.stats.t.sf((10 - untrained.mean()) / np.sqrt(var), df))
    # seeds that agree within image noise: no seed variance, normal reference
    close = compare_to_untrained(10.0, np.array([5.0, 5.1]), 0.05, reps,
                                 rng.normal([[5.0], [5.1]], 1.0, (2, 50)))
    assert close["seed_sd"] == 0 and np.isinf(close["df_difference"])
    with pytest.raises(ValueError, match=r"needs \(3, 50\)"):
        compare_to_untrained(10.0, untrained, 0.05, reps, u_reps[:, :10])


def _rngs(n: int, start: int = 0):
    return (np.random.default_rng(start + seed) for seed in range(n))


#: Worlds of five networks (0 'trained', 1-4 untrained seeds), without the permutation test.
NO_PERMUTATIONS = replace(LocalizerDesign(), permutations=0)


def test_shared_low_level_feature_passes_the_permutation_test_not_the_comparison():
    """Both image sets' faces share a low-level feature that every network reads; no network
    has category information beyond it, and seeds differ. The per-network permutation test
    says 'generalises' for an untrained network in most worlds (measured 77 % of 60; right in
    that the selection carries category information, wrong as evidence of training). The
    comparison with the matched untrained networks, over 200 worlds: with two untrained seeds
    (as the demo) the 'trained' network is called beyond them in 2.5 % (generalisation) and
    3.0 % (overlap), and an untrained network cannot be tested (one other seed); with four
    (as the paper's five seeds) 1-3 % for generalisation for every network, the trained
    one and each untrained one against the other three (its bootstrap SD is conservative), and
    2.5-6.5 % for overlap, whose test is exact at the nominal 5 % (3.9 % over all networks)."""
    fired = comparison_worlds(_rngs(60), LocalizerDesign(draws=5))
    assert np.mean(fired.loc[fired["network"] == 1, "p_permutation"] < 0.05) > 0.5
    null = comparison_worlds(_rngs(200, 1000), NO_PERMUTATIONS)
    two = ["p_generalisation_2", "p_overlap_2"]
    assert null.loc[null["network"] > 0, two].isna().all().all()  # not testable
    reject = rejection_rates(null)
    assert (reject.loc[0, two] <= 0.05).all()
    assert (reject["p_generalisation_4"] <= 0.05).all()
    assert reject["p_overlap_4"].mean() <= 0.06 and (reject["p_overlap_4"] <= 0.1).all()


def test_planted_category_information_is_found():
    """The 'trained' network's first 30 of 300 units also respond to faces beyond the
    low-level feature. Measured power over 100 worlds with two untrained seeds: 67 %
    (generalisation) and 20 % (overlap: its test rests on the seeds' spread alone, one degree
    of freedom); with four: 82 % and 52 %."""
    power = rejection_rates(comparison_worlds(_rngs(100), NO_PERMUTATIONS, planted=True)).loc[0]
    assert power["p_generalisation_2"] >= 0.6 and power["p_overlap_2"] >= 0.08
    assert power["p_generalisation_4"] >= 0.7 and power["p_overlap_4"] >= 0.35


@pytest.mark.slow
def test_bootstrap_sd_conservative_for_generalisation_not_for_overlap():
    """Fixed networks, new images in every realisation: the SD over 60 realisations of the
    difference between two networks against the bootstrap SD (30 draws, root mean square; the
    overlap's bootstrap by direct resampling). Measured ratios (bootstrap / realisations) for
    three network draws (seeds 7, 8, 9): 1.64, 1.32 and 1.47 for the generalisation t
    (conservative: it is used), 0.84, 0.92 and 0.85 for the top-k overlap (too small: the
    overlap is compared through the seeds' spread alone). This draw is the first."""
    rows = bootstrap_realisations(_rngs(60), np.random.default_rng(7))
    assert 1.1 <= sd_ratio(rows, "generalisation") <= 2.0
    assert sd_ratio(rows, "overlap") < 0.95
