"""Out-of-domain decoding (analysis.analyses.ood_decoding.decoding) and its table
(analysis.io.ood_neural):
against independent references (direct loops, scikit-learn, scipy, pingouin, a Gaussian closed
form), on planted effects (information that grows with the number of channels, a planted unit
scaling, a planted domain shift), under realistic nulls (no class information; correlated
channels; log-normal image gains; 10 classes of 24 base images), base-image separation, and
bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from analysis.analyses.ood_decoding import decoding as od
from analysis.errors import InputError
from analysis.io.ood_neural import table_for
from analysis.responses import NetworkId, Responses


@pytest.fixture(autouse=True)
def one_blas_thread():
    """The decoders here are small: one BLAS thread is faster and avoids oversubscription."""
    with threadpool_limits(1):
        yield


def design(n_classes: int, per_class: int, domains: list[str]) -> pd.DataFrame:
    """Every base image (per_class per class) in every domain: base, domain, label."""
    labels = np.repeat(np.arange(n_classes), per_class)
    n = len(labels)
    return pd.DataFrame({"base": np.tile(np.arange(n), len(domains)),
                         "domain": np.repeat(domains, n), "label": np.tile(labels, len(domains))})


def tuned(rng: np.random.Generator, labels: np.ndarray, n_channels: int, noise: float,
          gain: float = 1.0) -> np.ndarray:
    """(n, n_channels): each channel's class tuning (standard normal per class, drawn afresh)
    times ``gain`` plus independent Gaussian noise of SD ``noise``."""
    tuning = rng.normal(size=(n_channels, labels.max() + 1))
    return gain * tuning[:, labels].T + noise * rng.normal(size=(len(labels), n_channels))


# ---- independent references -------------------------------------------------------------


def test_two_afc_matches_a_direct_loop_over_distractors():
    scores = np.array([[2.0, 1.0, 0.5], [0.3, 0.3, 0.9], [1.0, 2.0, 3.0], [0.0, 5.0, -1.0]])
    labels = np.array([0, 1, 2, 0])
    expected = []
    for s, y in zip(scores, labels, strict=True):
        trials = [1.0 if s[y] > s[j] else 0.5 if s[y] == s[j] else 0.0
                  for j in range(3) if j != y]
        expected.append(np.mean(trials))
    np.testing.assert_allclose(od.two_afc(scores, labels), expected)
    np.testing.assert_allclose(expected, [1.0, 0.25, 1.0, 0.5])  # image 1: a tie and a loss
    binary = np.array([[0.2, 0.8], [0.9, 0.1], [0.5, 0.5]])
    y2 = np.array([1, 1, 0])
    correct = np.where(binary[:, 0] == binary[:, 1], 0.5, binary.argmax(1) == y2)
    np.testing.assert_allclose(od.two_afc(binary, y2), correct)


def test_decoder_matches_scikit_learn_and_ignores_a_constant_channel():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), 15)
    x = tuned(rng, y, 12, 2.0)
    x[:, 5] = 3.0  # constant channel
    x_test = tuned(rng, y, 12, 2.0)
    fitted = od.fit_decoder(x, y)
    ref = make_pipeline(StandardScaler(), RidgeClassifierCV(alphas=od.ALPHAS)).fit(x, y)
    np.testing.assert_allclose(od.class_scores(fitted, x_test), ref.decision_function(x_test))
    z = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1.0)
    direct = RidgeClassifierCV(alphas=od.ALPHAS).fit(z, y)
    assert fitted[-1].alpha_ == direct.alpha_
    np.testing.assert_allclose(fitted[-1].coef_[:, 5], 0.0, atol=1e-12)
    two = od.fit_decoder(x[y < 2], y[y < 2])
    s = two.decision_function(x_test)
    np.testing.assert_allclose(od.class_scores(two, x_test), np.column_stack([-s, s]))


def test_reference_t_tests_match_scipy_and_pingouin():
    import pingouin as pg
    model = np.array([0.61, 0.58, 0.66, 0.55, 0.63, 0.60])
    neural = np.array([0.70, 0.64, 0.72, 0.66, 0.69, 0.75, 0.61])
    t = od.reference_tests(model, neural)
    student = pg.ttest(model, neural, correction=False)
    welch = pg.ttest(model, neural, correction=True)
    assert t.t == pytest.approx(student["T"].iloc[0])
    assert t.p == pytest.approx(student["p_val"].iloc[0] if "p_val" in student
                                else student["p-val"].iloc[0])
    assert t.df == pytest.approx(11)
    assert t.welch_t == pytest.approx(welch["T"].iloc[0])
    assert t.welch_df == pytest.approx(welch["dof"].iloc[0])
    assert t.welch_p == pytest.approx(stats.ttest_ind(model, neural, equal_var=False).pvalue)
    assert t.difference == pytest.approx(model.mean() - neural.mean())


def test_friedman_matches_the_rank_formula_and_scipy():
    deltas = np.array([[-0.10, -0.02, -0.20, 0.01],
                       [-0.08, -0.01, -0.15, -0.03],
                       [-0.12, 0.02, -0.25, -0.05]])
    res = od.domain_test(deltas)
    n, k = deltas.shape
    ranks = np.apply_along_axis(stats.rankdata, 1, deltas).sum(0)
    by_hand = 12 / (n * k * (k + 1)) * np.sum(ranks**2) - 3 * n * (k + 1)
    assert res.chi2 == pytest.approx(by_hand)
    assert res.p == pytest.approx(stats.friedmanchisquare(*deltas.T).pvalue)
    assert res.p == pytest.approx(stats.chi2.sf(by_hand, k - 1))
    small = od.domain_test(deltas[:1])
    assert np.isnan(small.chi2) and "2 blocks" in small.reason
    assert "3 domains" in od.domain_test(deltas[:, :2]).reason


def test_matched_count_interpolates_in_log_count():
    counts = np.array([4, 16, 64])
    acc = np.array([0.55, 0.65, 0.75])
    assert od.matched_count(counts, acc, 0.70) == pytest.approx(32.0)  # halfway in log: 2^5
    assert od.matched_count(counts, acc, 0.50) == 4.0  # above target already at the first
    assert np.isnan(od.matched_count(counts, acc, 0.80))  # never reached
    # a dip is ignored: running maximum (0.55, 0.65, 0.65, 0.75)
    assert od.matched_count(np.array([4, 16, 32, 64]), np.array([0.55, 0.65, 0.6, 0.75]),
                            0.70) == pytest.approx(np.sqrt(32 * 64))


def test_count_grid_is_log_spaced_unique_integers():
    grid = od.count_grid(1000, 4, 1)
    np.testing.assert_array_equal(grid, [1, 10, 100, 1000])
    assert list(od.count_grid(5, 10, 1)) == [1, 2, 3, 4, 5]


# ---- splits over base images --------------------------------------------------------------


def test_splits_are_stratified_disjoint_and_reproducible():
    table = design(10, 24, ["a"])
    splits = od.draw_splits(table, "a", 3, 100, 25, np.random.default_rng(5))
    again = od.draw_splits(table, "a", 3, 100, 25, np.random.default_rng(5))
    for (train, test), (train2, test2) in zip(splits, again, strict=True):
        np.testing.assert_array_equal(train, train2)
        np.testing.assert_array_equal(test, test2)
        assert len(train) == 100 and len(test) == 25 and not np.intersect1d(train, test).size
        assert set(np.bincount(table["label"].to_numpy()[train])) == {10}
        assert set(np.bincount(table["label"].to_numpy()[test])) <= {2, 3}


def test_no_test_sees_a_transform_of_a_training_image():
    """Each base has its own random feature vector (no class information) shared by all its
    transforms, and the decoder memorises its training bases (more channels than images):
    a test row sharing a base with a training row is decoded almost perfectly (checked below,
    > 0.95). Decoding must stay near chance in every domain (mean over 20 worlds 0.50, SD
    0.05, largest 0.57: asserted < 0.7); a split that leaks is refused."""
    rng = np.random.default_rng(3)
    table = design(4, 12, ["a", "b", "c"])
    labels = table["label"].to_numpy()
    features = rng.normal(size=(48, 200))[table["base"]] + 0.05 * rng.normal(size=(144, 200))
    splits = od.draw_splits(table, "a", 10, 24, 24, rng)
    assert od.decode(features, table, "a", splits)["accuracy"].mean() < 0.7
    train = splits[0][0]
    in_train = table["base"].isin(train).to_numpy()
    fit_rows = in_train & (table["domain"] == "a").to_numpy()
    seen = in_train & (table["domain"] == "b").to_numpy()
    decoder = od.fit_decoder(features[fit_rows], labels[fit_rows])
    assert od.two_afc(od.class_scores(decoder, features[seen]), labels[seen]).mean() > 0.95
    with pytest.raises(InputError, match="both a training and a test base"):
        od.decode(features, table, "a", [(train, train[:12])])


# ---- planted effects ----------------------------------------------------------------------


def test_accuracy_grows_with_the_number_of_channels():
    rng = np.random.default_rng(1)
    table = design(4, 40, ["a"])
    features = tuned(rng, table["label"].to_numpy(), 64, 3.0)
    splits = od.draw_splits(table, "a", 4, 80, 80, rng)
    counts, acc = od.in_domain_curve(od.unit_curve(features, table, "a", splits,
                                                   np.array([2, 8, 32]), 3, rng))
    np.testing.assert_array_equal(counts, [2, 8, 32])
    assert acc[0] < acc[1] - 0.05 < acc[2] - 0.1


def matched_world(k: int, seed: int, n_ref: int = 20, noise: float = 3.0, pool: int = 4
                  ) -> tuple[float, float]:
    """One world: a reference of ``n_ref`` channels (noise SD ``noise``) and a model of
    pool k n_ref units of the same kind with noise SD noise * sqrt(k). Returns the reference's
    in-domain accuracy (the target) and the matched count over the planted k * n_ref (NaN when
    the model never reaches the target). Four classes of 100 bases, 200 training and 200 test
    bases."""
    rng = np.random.default_rng(seed)
    table = design(4, 100, ["a"])
    labels = table["label"].to_numpy()
    splits = od.draw_splits(table, "a", 4, 200, 200, rng)
    target = od.decode(tuned(rng, labels, n_ref, noise), table, "a", splits)["accuracy"].mean()
    model = tuned(rng, labels, pool * k * n_ref, noise * np.sqrt(k))
    counts = od.count_grid(model.shape[1], 8, k * n_ref // 4)
    curve = od.unit_curve(model, table, "a", splits, counts, 4, rng)
    return float(target), od.matched_count(*od.in_domain_curve(curve), target) / (k * n_ref)


def matched_ratio(k: int, seed: int, n_ref: int = 20, noise: float = 3.0) -> float:
    """The matched / planted count of :func:`matched_world`."""
    return matched_world(k, seed, n_ref, noise)[1]


def test_unit_count_matching_recovers_a_planted_scaling():
    """k model units carry the class information of one reference channel (noise variance
    k times larger). The matched count is k * n_ref up to (i) sampling: the reference's 20
    random tunings make its accuracy vary, SD of the log ratio over worlds 0.29 (k = 1) and
    0.34 (k = 4), measured on 12 worlds; (ii) for k > 1 a bias upwards: a ridge decoder
    trained on 200 images pays more for more, noisier units, so the operational match exceeds
    the information match (geometric mean ratio 1.54 for k = 4 vs 1.08 for k = 1 over those
    12 worlds). Tolerances, on the geometric mean of 3 worlds: k = 1 within a factor of 1.5
    of n_ref; k = 4 between 0.8 and 2.5 times k * n_ref, and at least 2.5 times the k = 1
    match (these 3 worlds: 0.93 and 1.44)."""
    one = np.exp(np.mean([np.log(matched_ratio(1, s)) for s in range(3)]))
    four = np.exp(np.mean([np.log(matched_ratio(4, s)) for s in range(3)]))
    assert 1 / 1.5 < one < 1.5
    assert 0.8 < four < 2.5
    assert 4 * four > 2.5 * one


#: Reference noise SD giving the in-domain accuracy (mean over 8 worlds 0.60, 0.70, 0.80).
NOISE_FOR_ACCURACY = {0.6: 8.2, 0.7: 4.85, 0.8: 3.2}


@pytest.mark.slow
@pytest.mark.parametrize("accuracy", [0.6, 0.7, 0.8])
def test_unit_count_matching_tolerance_at_several_accuracies(accuracy: float):
    """The tolerance the README states, measured at in-domain accuracies 0.6, 0.7 and 0.8
    (8 worlds each; geometric mean of matched / planted over the worlds that matched).
    k = 1 (one unit carries one site's information; a pool of 80 units): 0.97 / 0.99 / 0.97,
    single worlds x0.33-1.68 at 0.6, x0.49-1.37 at 0.7, x0.70-1.31 at 0.8, all matched.
    k = 4 (four units, each with 4 times the noise variance, per site; a pool of 640 units):
    the decoder-limited match overestimates the information-equivalent count more as the
    accuracy falls, x2.30 / x2.01 / x1.49 (single worlds up to x5.0 at 0.6); 1 of 8 worlds
    never matched at 0.6 (with a pool of 320, 3 of 8 at 0.6 and 1 of 8 at 0.7). Asserted:
    the reference's accuracy within 0.03 of the nominal one; k = 1 within x1.35 of the planted
    size and always matched; k = 4 within x1.2-3.0, above the k = 1 match, >= 7 of 8
    matched."""
    noise = NOISE_FOR_ACCURACY[accuracy]
    one = np.array([matched_world(1, s, noise=noise) for s in range(8)])
    four = np.array([matched_world(4, s, noise=noise, pool=8) for s in range(8)])
    assert one[:, 0].mean() == pytest.approx(accuracy, abs=0.03)
    assert np.isfinite(one[:, 1]).all()
    gm_one = np.exp(np.mean(np.log(one[:, 1])))
    reached = np.isfinite(four[:, 1])
    gm_four = np.exp(np.mean(np.log(four[reached, 1])))
    assert 1 / 1.35 < gm_one < 1.35, gm_one
    assert reached.sum() >= 7 and 1.2 < gm_four < 3.0 and gm_four > gm_one, gm_four


def expected_two_afc(decoder, labels: np.ndarray, gain: float, tuning: np.ndarray,
                     noise: float) -> float:
    """Closed form for features gain * tuning[:, y] + N(0, noise^2 I): the decoder's scores
    are affine, so each target-distractor margin is Gaussian; the mean of Phi(mean / SD) over
    the test images (labels) and their distractors."""
    scaler, ridge = decoder[0], decoder[-1]
    w = ridge.coef_ / scaler.scale_  # (C, n_channels) on raw features
    b = ridge.intercept_ - w @ scaler.mean_
    means = gain * w @ tuning + b[:, None]  # (score class, true class)
    n_classes = len(b)
    margin = np.diag(means)[None, :] - means  # (distractor, true class)
    sd = noise * np.linalg.norm(w[None, :, :] - w[:, None, :], axis=2)
    off = ~np.eye(n_classes, dtype=bool)
    per_class = np.array([stats.norm.cdf(margin[off[:, y], y] / sd[off[:, y], y]).mean()
                          for y in range(n_classes)])
    return float(per_class[labels].mean())


def test_a_planted_domain_shift_lowers_accuracy_by_the_expected_amount():
    """Domain 'same' redraws the training domain's noise; 'half' halves the class tuning. Each
    domain's accuracy (6 splits of 400 test bases) matches the Gaussian closed form for the
    fitted decoders within 0.035, the drop from 'train' to 'half' matches the closed form's
    within 0.04, and 'same' matches the in-domain accuracy within 0.04 (SDs of these
    differences over 20 worlds: 0.010, 0.013 and 0.011; means within 0.003 of 0)."""
    rng = np.random.default_rng(7)
    n_channels, noise = 24, 3.0
    table = design(4, 150, ["train", "same", "half"])
    labels = table["label"].to_numpy()
    tuning = rng.normal(size=(n_channels, 4))
    gain = table["domain"].map({"train": 1.0, "same": 1.0, "half": 0.5}).to_numpy()
    features = gain[:, None] * tuning[:, labels].T + noise * rng.normal(
        size=(len(table), n_channels))
    splits = od.draw_splits(table, "train", 6, 80, 400, rng)
    res = od.decode(features, table, "train", splits)
    acc = res.groupby("domain")["accuracy"].mean()
    full, half = [], []
    for train, test in splits:
        rows = (table["domain"] == "train") & table["base"].isin(train)
        decoder = make_pipeline(StandardScaler(), RidgeClassifierCV(alphas=od.ALPHAS)).fit(
            features[rows], labels[rows])
        test_labels = labels[test]  # base ids are row positions in the first domain
        full.append(expected_two_afc(decoder, test_labels, 1.0, tuning, noise))
        half.append(expected_two_afc(decoder, test_labels, 0.5, tuning, noise))
    assert acc["train"] == pytest.approx(np.mean(full), abs=0.035)
    assert acc["same"] == pytest.approx(np.mean(full), abs=0.035)
    assert acc["half"] == pytest.approx(np.mean(half), abs=0.035)
    assert acc["train"] - acc["half"] == pytest.approx(np.mean(full) - np.mean(half), abs=0.04)
    assert np.mean(full) - np.mean(half) > 0.05
    assert acc["same"] == pytest.approx(acc["train"], abs=0.04)
    assert res.loc[res["in_domain"], "domain"].unique().tolist() == ["train"]


def test_matched_ood_evaluates_populations_of_the_rounded_count():
    rng = np.random.default_rng(2)
    table = design(4, 20, ["a", "b"])
    features = tuned(rng, table["label"].to_numpy(), 30, 2.0)
    splits = od.draw_splits(table, "a", 2, 40, 40, rng)
    out = od.matched_ood(features, table, "a", splits, 6.5, 3, rng)
    assert set(out["n_units"]) == {7} and len(out) == 3 * 2 * 2
    assert set(out.columns) >= {"draw", "split", "domain", "in_domain", "accuracy", "n_test"}
    with pytest.raises(InputError, match="never reached"):
        od.matched_ood(features, table, "a", splits, float("nan"), 3, rng)


# ---- realistic nulls ----------------------------------------------------------------------

NULL_DOMAINS = ["a", "b", "c", "d", "e", "f", "g"]


def null_features(rng: np.random.Generator, n_bases: int, mix: float,
                  n_channels: int = 20) -> np.ndarray:
    """Features without class information, one block of n_bases rows per domain: channels
    correlated through 3 shared factors, a log-normal gain per image; the training domain's
    features of a base are transformed for every other domain: a mixture (weight ``mix``) of
    the same features and a random linear recombination, plus noise."""
    load = rng.normal(size=(3, n_channels))
    gain = rng.lognormal(0.0, 0.5, (n_bases, 1))
    base = (rng.normal(size=(n_bases, 3)) @ load + rng.normal(size=(n_bases, n_channels))) * gain
    blocks = [base]
    for _ in NULL_DOMAINS[1:]:
        recombine = rng.normal(size=(n_channels, n_channels)) / np.sqrt(n_channels)
        blocks.append(base @ (mix * np.eye(n_channels) + (1 - mix) * recombine)
                      + 0.5 * gain * rng.normal(size=base.shape))
    return np.vstack(blocks)


def null_table(rng: np.random.Generator) -> pd.DataFrame:
    """10 classes of 24 base images in every domain, labels shuffled over bases."""
    table = design(10, 24, NULL_DOMAINS)
    labels = rng.permutation(np.repeat(np.arange(10), 24))
    return table.assign(label=np.tile(labels, len(NULL_DOMAINS)))


def test_accuracy_is_at_chance_without_class_information():
    """5 worlds of 10 splits each (100 training, 140 test bases): mean in-domain and
    out-of-domain 2AFC accuracy within 0.025 of 0.5. Most of the variance is between worlds
    (one world's 240 images happen to align with its labels); measured over 30 such 5-world
    blocks: SD 0.0075 in domain and 0.0065 out of domain, largest deviation 0.018, mean
    0.5003."""
    in_domain, ood = [], []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        table = null_table(rng)
        splits = od.draw_splits(table, "a", 10, 100, 140, rng)
        res = od.decode(null_features(rng, 240, mix=0.7), table, "a", splits)
        assert (res["n_test"] == 140).all()
        in_domain.append(res.loc[res["in_domain"], "accuracy"].mean())
        ood.append(res.loc[~res["in_domain"], "accuracy"].mean())
    assert np.mean(in_domain) == pytest.approx(0.5, abs=0.025)
    assert np.mean(ood) == pytest.approx(0.5, abs=0.025)


def null_rejection_rate(worlds: int, mix: float) -> float:
    """Share of worlds in which two populations drawn from the same distribution (no class
    information) differ in mean OOD accuracy by the reference t-test at 0.05."""
    rejected = []
    for seed in range(worlds):
        rng = np.random.default_rng(seed)
        table = null_table(rng)
        splits = od.draw_splits(table, "a", 1, 100, 140, rng)
        means = [od.domain_means(od.decode(null_features(rng, 240, mix), table, "a", splits))
                 for _ in range(2)]
        rejected.append(od.reference_tests(*means).p < 0.05)
    return float(np.mean(rejected))


def test_reference_t_test_is_nominal_when_domains_are_independent():
    """With each domain a fresh random recombination (mix 0), the domains' accuracies are
    near-independent samples, the t-test's assumption: 200 worlds reject at a rate in
    [0.02, 0.09] (binomial 95 % range around 0.05: [0.02, 0.08]; measured 0.050 here and
    0.063 over 600 other worlds)."""
    assert 0.02 <= null_rejection_rate(200, mix=0.0) <= 0.09


def test_reference_t_test_is_liberal_when_domains_share_the_base_images():
    """A known limitation of the paper's test, pinned here: when the domains are transforms
    of the same base images (mix 0.7), one decoder's accuracies in the different domains move
    together, domains are not independent samples, and two populations from the same
    distribution are called different far more often than 5 % (measured 0.63 here, 0.64 over
    200 other worlds; about 0.75 with 10 splits per world, as more splits shrink the scatter over
    domains but not the populations' own difference). Read its p-values as descriptive."""
    assert null_rejection_rate(60, mix=0.7) > 0.3


# ---- bad input ----------------------------------------------------------------------------


def test_bad_inputs_are_named():
    rng = np.random.default_rng(0)
    table = design(3, 6, ["a", "b"])
    features = rng.normal(size=(len(table), 5))
    splits = od.draw_splits(table, "a", 1, 6, 6, rng)
    with pytest.raises(InputError, match="36 rows"):
        od.decode(features[:-1], table, "a", splits)
    with pytest.raises(InputError, match="'photo' is not in the table's domains"):
        od.decode(features, table, "photo", splits)
    short = table[~((table["label"] == 2) & (table["base"] >= 14))]
    with pytest.raises(InputError, match="class 2 has 2 base image"):
        od.draw_splits(short, "a", 1, 9, 6, rng)
    with pytest.raises(InputError, match="lacks column"):
        od.decode(features, table.drop(columns="base"), "a", splits)
    with pytest.raises(InputError, match="no training image of class 2"):
        od.decode(features, table, "a", [(np.arange(12), np.arange(12, 18))])
    with pytest.raises(InputError, match="labels must be ints"):
        od.two_afc(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(InputError, match="unit counts"):
        od.unit_curve(features, table, "a", splits, np.array([6]), 1, rng)


# ---- the neural side: a labels table aligned to any responses ---------------------------


def labels_frame() -> pd.DataFrame:
    return pd.DataFrame({"stimulus_id": [10, 11, 12, 13], "domain": ["o", "o", "s", "s"],
                         "label": ["zebra", "apple", "zebra", "apple"], "base": [0, 1, 0, 1]})


def responses(ids: list[str]) -> Responses:
    return Responses.from_network(np.zeros((len(ids), 2)), np.array(ids), np.arange(2),
                                  NetworkId("m", "l", True))


def test_table_for_aligns_labels_to_the_responses():
    out = table_for(responses(["13", "10", "12"]), labels_frame())
    assert out["stimulus_id"].tolist() == ["13", "10", "12"]
    assert out["label"].tolist() == [0, 1, 1]  # apple 0, zebra 1 (sorted class names)
    assert out["class"].tolist() == ["apple", "zebra", "zebra"]
    assert out["base"].tolist() == [1, 0, 0] and out["domain"].tolist() == ["s", "o", "s"]


def test_table_for_names_missing_and_duplicate_stimuli():
    with pytest.raises(InputError, match="'99' .* not in labels.csv"):
        table_for(responses(["10", "99"]), labels_frame(), "labels.csv")
    doubled = pd.concat([labels_frame(), labels_frame().iloc[[2]]])
    with pytest.raises(InputError, match="'12' appears twice"):
        table_for(responses(["10"]), doubled)
    with pytest.raises(InputError, match=r"lacks column\(s\) \['base'\]"):
        table_for(responses(["10"]), labels_frame().drop(columns="base"))


# ---- Fig 3E / B.3: log extrapolation over sites, the scaling sweep -----------------------


def test_log_fit_matches_polyfit_and_linregress():
    rng = np.random.default_rng(4)
    x = np.geomspace(1, 71, 9)
    y = 0.55 + 0.04 * np.log(x) + 0.02 * rng.normal(size=x.size)
    fit = od.log_fit(x, y)
    slope, intercept = np.polyfit(np.log(x), y, 1)
    ref = stats.linregress(np.log(x), y)
    assert (fit.a, fit.b) == pytest.approx((slope, intercept))
    assert (fit.a, fit.b) == pytest.approx((ref.slope, ref.intercept))
    assert fit.r2 == pytest.approx(ref.rvalue**2)
    np.testing.assert_allclose(fit.at([10.0, 1e4]), ref.intercept + ref.slope * np.log([10, 1e4]))
    assert (fit.x_min, fit.x_max, fit.n_points) == (1.0, 71.0, 9)
    with pytest.raises(InputError, match="x > 0"):
        od.log_fit(np.array([0.0, 1.0]), np.array([0.5, 0.6]))
    with pytest.raises(InputError, match="2 distinct"):
        od.log_fit(np.array([5.0, 5.0]), np.array([0.5, 0.6]))


def test_log_fit_recovers_a_planted_log_law():
    """y = 0.05 ln(x) + 0.52 plus noise of SD 0.01 at 12 log-spaced counts from 5 to 1000:
    the slope's standard error is 0.0011, so a and b are recovered within 0.005 and 0.02 and
    the value extrapolated to 10 000 within 0.03 of the planted 0.98."""
    rng = np.random.default_rng(11)
    x = np.geomspace(5, 1000, 12)
    fit = od.log_fit(x, 0.52 + 0.05 * np.log(x) + 0.01 * rng.normal(size=x.size))
    assert fit.a == pytest.approx(0.05, abs=0.005)
    assert fit.b == pytest.approx(0.52, abs=0.02)
    assert float(fit.at(1e4)) == pytest.approx(0.52 + 0.05 * np.log(1e4), abs=0.03)


def test_ood_by_count_averages_domains_then_takes_the_sd_over_them():
    curve = pd.DataFrame({"count": [1, 1, 1, 1, 1, 1, 2, 2, 2],
                          "domain": ["a", "b", "b", "c", "c", "c", "a", "b", "c"],
                          "in_domain": [True, False, False, False, False, False, True, False,
                                        False],
                          "accuracy": [0.9, 0.6, 0.8, 0.5, 0.6, 0.7, 0.95, 0.65, 0.75]})
    out = od.ood_by_count(curve)
    assert out["count"].tolist() == [1, 2] and out["n_domains"].tolist() == [2, 2]
    assert out["mean"].tolist() == pytest.approx([0.65, 0.7])   # domains b 0.7, c 0.6
    assert out["sd"].tolist() == pytest.approx([np.std([0.7, 0.6], ddof=1),
                                                np.std([0.65, 0.75], ddof=1)])


def sweep_world(seed: int, class_info: bool = True, n_ref: int = 16, noise: float = 3.0
                ) -> tuple[od.LogFit, dict[str, pd.DataFrame]]:
    """A neural reference of n_ref channels (class tuning the same in domains a, b and c) and
    two networks of 2 n_ref channels of the same kind: 'twin' (the positive control: more
    sites of the same brain) and 'half' (class tuning 0.4 times as strong in domain b). The
    neural log fit over counts >= 4 and each network's scaling sweep at 4, 8 and n_ref sites.
    Without class information the labels are shuffled over the bases."""
    rng = np.random.default_rng(seed)
    table = design(4, 60, ["a", "b", "c"])
    labels = table["label"].to_numpy()
    tuned_to = labels if class_info else np.tile(rng.permutation(labels[:240]), 3)
    domain = table["domain"].to_numpy()

    def system(n: int, gain_b: float) -> np.ndarray:
        gain = np.where(domain == "b", gain_b, 1.0)[:, None]
        return gain * tuned(rng, tuned_to, n, 0.0) + noise * rng.normal(size=(len(table), n))
    neural = system(n_ref, 1.0)
    splits = od.draw_splits(table, "a", 3, 120, 120, rng)
    sites = np.array([4, 8, n_ref])
    curve = od.unit_curve(neural, table, "a", splits, np.union1d(od.count_grid(n_ref, 6),
                                                                 sites), 3, rng)
    by_sites = od.ood_by_count(curve)
    kept = by_sites["count"] >= 4
    fit = od.log_fit(by_sites.loc[kept, "count"], by_sites.loc[kept, "mean"])
    target = pd.Series(*od.in_domain_curve(curve)[::-1])
    sweeps = {}
    for name, gain_b in (("twin", 1.0), ("half", 0.4)):
        x = system(2 * n_ref, gain_b)
        model = od.unit_curve(x, table, "a", splits, od.count_grid(2 * n_ref, 8), 3, rng)
        full = od.domain_means(od.decode(x, table, "a", splits)).mean()
        sweeps[name] = od.scaling_sweep(sites, target, *od.in_domain_curve(model), x.shape[1],
                                        full, fit)
    return fit, sweeps


def test_scaling_sweep_gap_is_zero_for_the_twin_and_negative_for_a_weaker_domain():
    """The twin (more sites of the same brain) must show no gap at any number of sites behind
    the scaling; the network whose class signal is weaker in one of the two OOD domains a
    negative one. Mean gap per sweep count (4, 8, 16 sites) over these 4 worlds: twin -0.005 /
    0.002 / 0.011, half -0.12 / -0.09 / -0.08; over 8 worlds twin 0.013 / 0.012 / 0.014 (single
    worlds -0.09 to 0.08, mostly the matched count's scatter), half -0.10 / -0.08 / -0.07.
    Asserted: twin |mean| < 0.045, half < twin - 0.03 at every count."""
    gaps = {"twin": [], "half": []}
    for seed in range(4):
        fit, sweeps = sweep_world(seed)
        assert fit.a > 0.03                                    # more sites, more accuracy
        for name, sweep in sweeps.items():
            assert sweep["n_sites"].tolist() == [4, 8, 16]
            np.testing.assert_allclose(sweep["units_per_site"],
                                       sweep["matched_units"] / sweep["n_sites"])
            np.testing.assert_allclose(sweep["gap"], sweep["model_ood_all"]
                                       - fit.at(32 / sweep["units_per_site"]))
            gaps[name].append(sweep["gap"].to_numpy())
    twin, half = np.mean(gaps["twin"], axis=0), np.mean(gaps["half"], axis=0)
    assert np.all(np.abs(twin) < 0.045), twin
    assert np.all(half < twin - 0.03), (half, twin)


def test_without_class_information_the_fit_is_flat_and_there_is_no_gap():
    """Labels shuffled over the bases: the neural curve is flat at chance (|a| < 0.02;
    measured |a| <= 0.011, |b - 0.5| <= 0.02 over 6 worlds) and wherever a network matches,
    its gap is within 0.06 of 0 (measured within 0.04 in 32 sweep rows); a match may be
    missing (NaN gap). Two of those worlds here."""
    for seed in range(2):
        fit, sweeps = sweep_world(seed, class_info=False)
        assert abs(fit.a) < 0.02 and fit.b == pytest.approx(0.5, abs=0.03)
        for sweep in sweeps.values():
            gap = sweep["gap"].dropna()
            assert np.all(np.abs(gap) < 0.06), gap


def test_scaling_sweep_names_a_missing_neural_count():
    fit = od.LogFit(0.05, 0.5, 1.0, 1.0, 10.0, 4)
    with pytest.raises(InputError, match=r"no neural in-domain accuracy at \[20\] sites"):
        od.scaling_sweep(np.array([10, 20]), pd.Series([0.6], index=[10]),
                         np.array([1, 4]), np.array([0.55, 0.7]), 4, 0.6, fit)
    never = od.scaling_sweep(np.array([10]), pd.Series([0.9], index=[10]),
                             np.array([1, 4]), np.array([0.55, 0.7]), 4, 0.6, fit)
    assert np.isnan(never["gap"]).all() and not never["resolution_limited"].any()
    steep = od.scaling_sweep(np.array([10]), pd.Series([0.6], index=[10]), np.array([1, 4]),
                             np.array([0.55, 0.7]), 4000, 0.8, fit)
    # a third of the way in log from 1 to 4 units: 4^(1/3) = 1.59 units, 0.159 per site, the
    # layer 25 198 site-equivalents, where 0.05 ln(x) + 0.5 = 1.006 is capped at 1
    assert steep["matched_units"].iloc[0] == pytest.approx(4 ** (1 / 3))
    assert steep["resolution_limited"].all() and steep["at_ceiling"].all()
    assert steep["gap"].iloc[0] == pytest.approx(-0.2)
