"""The divergence statistics (analysis.stats.divergence): against independent references
(scipy, pingouin, statsmodels, closed forms), on planted effects, and under a realistic null
(image-dependent signal strength, correlated noise, three repetitions, a network with an
image-specific part of its own); the split of the generalisation analysis; and the committed
demo results against the planted invariances."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from scipy.spatial.distance import squareform

from analysis import config
from analysis.stats import divergence as dv

ROOT = Path(__file__).resolve().parents[1]


def world(rng: np.random.Generator, n_subjects: int = 8, n_per_group: int = 12,
          brain_contrast: float = 0.5, network_contrast: float = 0.5, voxels: int = 20
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A region measured in ``n_subjects`` and a network, on two image groups A and B (plus as
    many other images): z-scored profiles (subjects, images) and (images,), masks A and B.

    Images differ in signal strength (log-normal); each subject has its own contrast slope; the
    noise is correlated over voxels (a shared fluctuation per trial) and averaged over three
    repetitions; the network shares part of the images' signal and has an image-specific part
    of its own. Contrasts are planted in raw units before z-scoring."""
    n = 3 * n_per_group
    a = np.zeros(n, bool)
    a[:n_per_group] = True
    b = np.zeros(n, bool)
    b[n_per_group:2 * n_per_group] = True
    strength = rng.lognormal(0.0, 0.5, n)
    common = rng.normal(size=n) * strength
    group = np.where(a, 0.5, np.where(b, -0.5, 0.0))
    # own part's SD 1.16: the network's profile has about the brain's SD (signal 1.65 + noise
    # 0.29 in variance), so equal raw contrasts are equal z contrasts
    network = network_contrast * group + 0.6 * common + 1.16 * rng.normal(size=n)
    slopes = 0.2 * rng.normal(size=(n_subjects, 1))
    true = brain_contrast * group + common + slopes * group  # (S, n)
    # trials: (S, n, voxels, 3) with a per-trial fluctuation shared by the voxels
    shared = rng.normal(size=(n_subjects, n, 1, 3))
    own = rng.normal(size=(n_subjects, n, voxels, 3))
    trials = true[:, :, None, None] + 1.5 * (0.6 * shared + 0.8 * own)
    brain = np.vstack([dv.brain_profile(t) for t in trials])
    return brain, dv.zscore(network), a, b


def test_profiles_match_direct_computation():
    rng = np.random.default_rng(0)
    acts = rng.gamma(2.0, size=(30, 7))
    acts[:, 3] = 5.0  # a constant unit is left out
    kept = np.delete(acts, 3, axis=1)
    expected = ((kept - kept.mean(0)) / kept.std(0)).mean(1)
    expected = (expected - expected.mean()) / expected.std()
    np.testing.assert_allclose(dv.unit_profile(acts), expected, atol=1e-12)
    data = rng.normal(size=(30, 5, 3))
    data[2, :, 1] = np.nan  # a missing repetition
    m = np.array([np.nanmean(data[i]) for i in range(30)])
    np.testing.assert_allclose(dv.brain_profile(data), (m - m.mean()) / m.std(), atol=1e-12)
    assert np.isnan(dv.zscore(np.ones(4))).all()


def test_residuals_match_statsmodels_ols():
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = 0.7 * x + rng.normal(size=50)
    res = dv.residuals(y, x)
    ols = smf.ols("y ~ x", pd.DataFrame({"x": x, "y": y})).fit()
    np.testing.assert_allclose(res.standardized, ols.resid / np.sqrt(ols.scale), atol=1e-10)
    assert res.slope == pytest.approx(ols.params["x"])


def test_residuals_find_planted_divergent_images():
    rng = np.random.default_rng(2)
    x = rng.normal(size=200)
    y = x + 0.3 * rng.normal(size=200)
    y[[5, 17]] += 3.0
    y[40] -= 3.0
    flags = dv.residuals(y, x).divergent(3.0)
    assert set(np.flatnonzero(flags == 1)) == {5, 17}
    assert set(np.flatnonzero(flags == -1)) == {40}
    null = dv.residuals(x + rng.normal(size=200), x).divergent(2.0)
    assert 0.01 < np.mean(null != 0) < 0.10  # about 4.6 % beyond 2 SD


def test_welch_and_subjects_test_match_pingouin():
    rng = np.random.default_rng(3)
    v = rng.normal(size=40)
    v[:15] += 0.8
    a = np.zeros(40, bool)
    a[:15] = True
    b = ~a
    t, p = dv.welch(v, a, b)
    ref = pg.ttest(v[a], v[b], correction=True)
    assert t == pytest.approx(float(ref["T"].iloc[0]))
    assert p == pytest.approx(float(ref["p_val"].iloc[0]))
    x = rng.normal(0.4, 1.0, size=8)
    test = dv.subjects_test(x, 0.95)
    ref = pg.ttest(x, 0.0)
    assert test.p == pytest.approx(float(ref["p_val"].iloc[0]))
    assert [test.low, test.high] == pytest.approx(list(ref["CI95"].iloc[0]), abs=0.01)


def test_bootstrap_interval_matches_normal_theory_for_large_groups():
    rng = np.random.default_rng(4)
    v = rng.normal(size=600)
    a = np.zeros(600, bool)
    a[:300] = True
    lo, hi = dv.bootstrap_interval(v, a, ~a, 4000, 0.95, rng)
    se = np.sqrt(v[a].var(ddof=1) / 300 + v[~a].var(ddof=1) / 300)
    centre = dv.contrast(v, a, ~a)
    assert lo == pytest.approx(centre - 1.96 * se, abs=0.25 * se)
    assert hi == pytest.approx(centre + 1.96 * se, abs=0.25 * se)


def test_crossed_difference_matches_statsmodels_mixedlm():
    """Balanced data, every variance component clearly positive: the ANOVA estimator equals
    REML, so the standard error equals MixedLM's for the group effect (subjects, subject x
    group, images nested in group with their own variance, residual)."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        n_subj, n = 8, 12
        g = np.r_[np.ones(n, bool), np.zeros(n, bool)]
        e = (0.3 * g + 0.7 * rng.normal(size=2 * n) + rng.normal(size=(n_subj, 1)) * g
             + rng.normal(size=(n_subj, 1)) + 0.5 * rng.normal(size=(n_subj, 2 * n)))
        ours = dv.crossed_difference(e, None, g, ~g, 0.95)
        df = pd.DataFrame({"e": e.ravel(), "s": np.repeat(np.arange(n_subj), 2 * n),
                           "i": np.tile(np.arange(2 * n), n_subj),
                           "g": np.tile(g.astype(int), n_subj)})
        df["h"], df["one"] = 1 - df["g"], 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = smf.mixedlm("e ~ g", df, groups="one", re_formula="0",
                              vc_formula={"s": "0+C(s)", "sg": "0+C(s):g", "ia": "0+C(i):g",
                                          "ib": "0+C(i):h"}).fit(reml=True)
        assert ours.estimate == pytest.approx(fit.params["g"], abs=1e-10)
        assert ours.se == pytest.approx(fit.bse["g"], rel=0.02)


def test_crossed_difference_with_one_subject_is_welch():
    rng = np.random.default_rng(5)
    brain, net = rng.normal(size=(1, 30)), rng.normal(size=30)
    a = np.zeros(30, bool)
    a[:12] = True
    test = dv.crossed_difference(brain, net, a, ~a, 0.95)
    e = brain[0] - net
    ref = stats.ttest_ind(e[a], e[~a], equal_var=False)
    assert test.p == pytest.approx(ref.pvalue)


def test_crossed_difference_is_calibrated_when_brain_and_network_share_the_contrast():
    """The realistic null: p uniform over seeds. A test over subjects alone (the network's
    contrast as a constant) rejects far too often here, because the network's image-specific
    part makes its contrast on these images differ from the brain's by chance."""
    crossed, naive = [], []
    for seed in range(300):
        brain, net, a, b = world(np.random.default_rng(seed))
        crossed.append(dv.crossed_difference(brain, net, a, b, 0.95).p)
        naive.append(dv.subjects_test(dv.contrast(brain, a, b) - dv.contrast(net, a, b),
                                      0.95).p)
    crossed, naive = np.array(crossed), np.array(naive)
    assert stats.kstest(crossed, "uniform").pvalue > 0.01
    assert 0.02 <= np.mean(crossed < 0.05) <= 0.09
    assert np.mean(naive < 0.05) > 0.2


def test_crossed_difference_detects_and_covers_a_planted_difference():
    """The brain's contrast 2 raw units larger than the network's: detected most of the
    time, and the interval covers the true z difference about 95 % of the time."""
    hits, estimates = [], []
    for seed in range(150):
        brain, net, a, b = world(np.random.default_rng(1000 + seed), brain_contrast=2.0,
                                 network_contrast=0.0)
        test = dv.crossed_difference(brain, net, a, b, 0.95)
        hits.append(test.p < 0.05)
        estimates.append((test.estimate, test.low, test.high))
    est = np.array(estimates)
    assert np.mean(hits) > 0.6
    truth = est[:, 0].mean()  # the estimator is unbiased: its mean over worlds
    coverage = np.mean((est[:, 1] <= truth) & (truth <= est[:, 2]))
    assert 0.88 <= coverage <= 0.99


def test_label_enrichment():
    rng = np.random.default_rng(6)
    resid = rng.normal(size=300)
    label = (rng.random(300) < 0.3).astype(float)
    label[::50] = np.nan  # unknown labels are left out
    resid[label == 1] += 1.5  # planted: the label goes with brain-above-network residuals
    flags = np.where(resid >= 2, 1, np.where(resid <= -2, -1, 0))
    out = dv.label_enrichment(resid, flags, label)
    known = np.isfinite(label)
    yes, no = known & (label == 1), known & (label == 0)
    div = flags == 1
    ref = stats.fisher_exact([[np.sum(div & yes), np.sum(~div & yes)],
                              [np.sum(div & no), np.sum(~div & no)]], alternative="greater")
    assert out["brain_above_p"] == pytest.approx(ref.pvalue)
    assert out["residual_difference"] > 1.0 and out["p"] < 1e-10
    assert out["n_yes"] + out["n_no"] == known.sum()
    null = [dv.label_enrichment(r := np.random.default_rng(s).normal(size=300),
                                np.where(r >= 2, 1, np.where(r <= -2, -1, 0)),
                                (np.random.default_rng(s + 99).random(300) < 0.3).astype(float)
                                )["p"] for s in range(200)]
    assert 0.01 <= np.mean(np.array(null) < 0.05) <= 0.10


def test_rdm_group_separation_closed_form():
    """Four images: A = {0, 1}, B = {2, 3}, no others but one: distances set by hand."""
    d = np.array([[0, 1, 3, 3, 5],
                  [1, 0, 3, 3, 5],
                  [3, 3, 0, 2, 5],
                  [3, 3, 2, 0, 5],
                  [5, 5, 5, 5, 0]], dtype=float)
    a = np.array([1, 1, 0, 0, 0], bool)
    b = np.array([0, 0, 1, 1, 0], bool)
    out = dv.rdm_group_separation(d, a, b, ~(a | b))
    assert out["between"] == 3 and out["within"] == 1.5 and out["separation"] == 1.5
    # faces' within: mean of the 6 pairs among images 0-3 = (1 + 2 + 4 * 3) / 6 = 2.5
    assert out["category_separation"] == pytest.approx(5 - 2.5)
    assert out["ratio"] == pytest.approx(1.5 / 2.5)
    assert squareform(squareform(d)).shape == d.shape


def test_image_part_is_per_image_and_seeded():
    ids = np.arange(2000)
    part = dv.image_part(ids, 0.5, 47)
    assert 0.45 < part.mean() < 0.55
    np.testing.assert_array_equal(dv.image_part(ids[::3], 0.5, 47), part[::3])
    assert not np.array_equal(dv.image_part(ids, 0.5, 48), part)


def test_generalisation_parts_hold_out_one_factor_and_only_trained_models():
    from analysis.stages.divergence import _generalisation
    params = config.load_params(ROOT / "params.yaml")
    rng = np.random.default_rng(7)
    brain, net, a, b = world(rng, n_per_group=30)
    stimuli = np.arange(len(net)) * 7
    systems = {"effnet_lite0": (net, True), "effnet_lite1": (net[::-1].copy(), True),
               "effnet_lite0_random1": (rng.normal(size=len(net)), False)}
    labels = pd.DataFrame({k: np.zeros(len(net)) for k in
                           ("human_face", "animal_face", "exposed_limbs", "covered_body",
                            "scene_with_people", "scene_without_people")})
    labels["human_face"], labels["animal_face"] = a.astype(float), b.astype(float)
    gen, enr = _generalisation(params, "FFA", {"region": "FFA"}, stimuli,
                               np.arange(1, 9), brain, systems, labels, a, b)
    gen = pd.DataFrame(gen)
    assert set(zip(gen["part"], gen["model"])) == {
        ("discovery", "effnet_lite0"), ("held-out subjects", "effnet_lite0"),
        ("held-out images", "effnet_lite0"), ("held-out models", "effnet_lite1")}
    disc = params.divergence.discovery_subjects
    assert set(gen["n_subjects"]) == {len(disc), 8 - len(disc)}
    n_disc = int(dv.image_part(stimuli, params.divergence.discovery_image_share,
                               params.divergence.seed).sum())
    held = gen[gen["part"] == "held-out images"]["n_images"].iloc[0]
    assert held == len(net) - n_disc
    assert {r["model"] for r in enr} == {"effnet_lite0"}


RESULTS = ROOT / "results" / "results.json"


@pytest.mark.skipif(not RESULTS.is_file(), reason="no committed results")
def test_committed_demo_results_recover_the_planted_invariances():
    """The simulated brain has FFA human = animal faces, EBA exposed = covered bodies and PPA
    scenes without > with people (analysis/demo/brain.py): the brain's contrast is small
    against the category effect where it is planted equal and large where it is planted, and
    the controls behave (positive: no difference; negative: the planted shift found)."""
    r = json.loads(RESULTS.read_text())
    if r["tier"] != "demo":
        pytest.skip("the planted invariances are those of the demo tier")
    div = r["divergence"]
    for region in ("FFA", "EBA"):
        brain = div["regions"][region]["brain"]
        assert abs(brain["estimate"]) < 0.25 * brain["category_effect"], region
        assert float(brain["crossed"]["p"]) > 0.05, region
    ppa = div["regions"]["PPA"]["brain"]
    assert ppa["estimate"] > 0.4 * ppa["category_effect"]
    assert float(ppa["crossed"]["p"]) < 0.01
    for region, e in div["regions"].items():
        pos = e["systems"]["positive_control"]["difference"]
        neg = e["systems"]["shifted_control"]["difference"]
        assert float(pos["p"]) > 0.05, region
        assert neg["estimate"] == pytest.approx(-div["control_shift"], abs=0.3), region
        assert float(neg["p"]) < 0.01, region
