"""The divergence statistics (analysis.stats.divergence): against independent references
(scipy, pingouin, statsmodels, closed forms), on planted effects, and under a realistic null
(image-dependent signal strength, correlated noise, three repetitions, a network with an
image-specific part of its own; 8 subjects as in the main test, 4 as in a held-out part); the
generalisation analysis; and the committed demo results against the planted invariances."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import squareform

from analysis.stats import divergence as dv
from analysis.stats import generalisation_parts as gp
from analysis.validation import divergence as vd
from analysis.validation.divergence import PAIRS, labelled_world

ROOT = Path(__file__).resolve().parents[1]


def world(rng: np.random.Generator, n_subjects: int = 8, n_a: int = 12, n_b: int = 12,
          n_other: int = 12, brain_contrast: float = 0.5, network_contrast: float = 0.5,
          noise: float = 1.5, voxels: int = 20, reps: int = 3, rho: float = 0.6
          ) -> tuple[list[dv.Profile], dv.Profile, np.ndarray, np.ndarray]:
    """A region measured in ``n_subjects`` and a network, on image groups A and B (plus other
    images): each subject's profile (from trials), the network's profile, masks A and B.

    Images differ in signal strength (log-normal); each subject has its own contrast slope; the
    noise is correlated over voxels (a fluctuation per trial shared by the voxels) and averaged
    over ``reps`` repetitions. The network shares a part ``rho`` of the images' signal and has
    an image-specific part of its own, sized so that its signal variance equals the brain's:
    equal raw contrasts are then equal contrasts in units of each system's signal SD."""
    n = n_a + n_b + n_other
    a = np.zeros(n, bool)
    a[:n_a] = True
    b = np.zeros(n, bool)
    b[n_a:n_a + n_b] = True
    strength = rng.lognormal(0.0, 0.5, n)
    common = rng.normal(size=n) * strength
    group = np.where(a, 0.5, np.where(b, -0.5, 0.0))
    own_sd = np.sqrt((1 - rho**2) * np.exp(0.5))  # E[strength^2] = e^0.5
    network = network_contrast * group + rho * common + own_sd * rng.normal(size=n)
    slopes = 0.2 * rng.normal(size=(n_subjects, 1))
    true = brain_contrast * group + common + slopes * group  # (S, n)
    shared = rng.normal(size=(n_subjects, n, 1, reps))
    own = rng.normal(size=(n_subjects, n, voxels, reps))
    trials = true[:, :, None, None] + noise * (0.6 * shared + 0.8 * own)
    return [dv.brain_profile(t) for t in trials], dv.Profile(network, np.zeros(n)), a, b


def null_rate(runs: int, corrected: bool = True, **kw) -> tuple[float, np.ndarray]:
    """Share of worlds in which brain - network is called different at 0.05, and the p."""
    ps = []
    for seed in range(runs):
        profiles, network, a, b = world(np.random.default_rng(seed), **kw)
        z = np.vstack([p.z() if corrected else dv.zscore(p.mean) for p in profiles])
        z = z[np.isfinite(z).all(axis=1)]  # a subject without measurable signal is left out
        ps.append(dv.crossed_difference(z, network.z(), a, b, 0.95).p)
    ps = np.array(ps)
    return float(np.mean(ps < 0.05)), ps


def test_profiles_match_direct_computation():
    rng = np.random.default_rng(0)
    acts = rng.gamma(2.0, size=(30, 7))
    acts[:, 3] = 5.0  # a constant unit is left out
    kept = np.delete(acts, 3, axis=1)
    expected = ((kept - kept.mean(0)) / kept.std(0)).mean(1)
    net = dv.unit_profile(acts)
    np.testing.assert_allclose(net.mean, expected, atol=1e-12)
    np.testing.assert_allclose(net.z(), (expected - expected.mean()) / expected.std(),
                               atol=1e-12)
    data = rng.normal(size=(30, 5, 3))
    data[2, :, 1] = np.nan  # a missing repetition
    reps = np.stack([data[:, :, k].mean(axis=1) for k in range(3)], axis=1)  # NaN stays NaN
    m = np.nanmean(reps, axis=1)
    n = np.sum(np.isfinite(reps), axis=1)
    pooled = np.nansum((reps - m[:, None]) ** 2) / np.sum(n - 1)
    prof = dv.brain_profile(data)
    np.testing.assert_allclose(prof.mean, m, atol=1e-12)
    np.testing.assert_allclose(prof.noise, pooled / n, atol=1e-12)
    assert np.isnan(dv.zscore(np.ones(4))).all()


def test_brain_profile_is_standardized_by_its_signal_sd():
    """Planted: signal SD 1 over images, noise SD 2 per repetition (3 repetitions, one voxel):
    the total SD of the image means is sqrt(1 + 4/3) but the standardization divides by about
    1, so a noisy brain's contrasts are not shrunk against a noiseless network's."""
    sds = []
    for seed in range(200):
        rng = np.random.default_rng(seed)
        signal = rng.normal(size=400)
        data = signal[:, None, None] + 2.0 * rng.normal(size=(400, 1, 3))
        prof = dv.brain_profile(data)
        z = prof.z()
        sds.append(np.std(prof.mean) / np.std(z))  # the SD it divided by
    assert np.mean(sds) == pytest.approx(1.0, abs=0.03)
    half = np.zeros(400, bool)
    half[:200] = True
    z = prof.z(half)
    assert z[half].mean() == pytest.approx(0.0, abs=1e-12)  # moments of the subset
    assert np.isnan(dv.Profile(np.zeros(5), np.ones(5)).z()).all()  # no signal left


def test_residuals_match_statsmodels_ols():
    import statsmodels.formula.api as smf
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
    import pingouin as pg
    rng = np.random.default_rng(3)
    v = rng.normal(size=40)
    v[:15] += 0.8
    a = np.zeros(40, bool)
    a[:15] = True
    b = ~a
    test = dv.welch(v, a, b, 0.95)
    ref = pg.ttest(v[a], v[b], correction=True)
    assert test.estimate / test.se == pytest.approx(float(ref["T"].iloc[0]))
    assert test.df == pytest.approx(float(ref["dof"].iloc[0]))
    assert test.p == pytest.approx(float(ref["p_val"].iloc[0]))
    assert [test.low, test.high] == pytest.approx(list(ref["CI95"].iloc[0]), abs=0.01)
    x = rng.normal(0.4, 1.0, size=8)
    test = dv.subjects_test(x, 0.95)
    ref = pg.ttest(x, 0.0)
    assert test.p == pytest.approx(float(ref["p_val"].iloc[0]))
    assert [test.low, test.high] == pytest.approx(list(ref["CI95"].iloc[0]), abs=0.01)
    same = dv.crossed_difference(np.vstack([v, v]), v, a, b, 0.95)
    assert same.estimate == 0 and same.p == 1.0  # identical profiles
    with pytest.raises(ValueError, match="disjoint"):
        dv.crossed_difference(np.vstack([v, v]), v, a, a, 0.95)


def test_crossed_difference_matches_statsmodels_mixedlm():
    """Balanced data, every variance component clearly positive: the ANOVA estimator equals
    REML, so the standard error equals MixedLM's for the group effect (subjects, subject x
    group, images nested in group with their own variance, residual)."""
    import statsmodels.formula.api as smf
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


@pytest.mark.parametrize("shape, runs", [
    ({}, 600),                                              # 8 subjects, 12 images per group
    ({"n_subjects": 4, "n_a": 6, "n_b": 6, "n_other": 6}, 2000),   # a held-out part
    ({"n_subjects": 4, "n_a": 5, "n_b": 2, "n_other": 10}, 2000),  # unequal, tiny groups
])
def test_crossed_difference_is_calibrated_when_brain_and_network_share_the_contrast(shape, runs):
    """The realistic null, p uniform over seeds. Small parts check the degrees of freedom: with
    infinite df the 4-subject, 6-image world rejects about 7 %."""
    rate, ps = null_rate(runs, **shape)
    assert stats.kstest(ps, "uniform").pvalue > 0.001
    assert 0.03 <= rate <= 0.065


def test_a_test_over_subjects_alone_is_not_calibrated():
    """The network's image-specific part makes its contrast on these images differ from the
    brain's by chance; treating the images as fixed calls that a difference."""
    naive = []
    for seed in range(300):
        profiles, network, a, b = world(np.random.default_rng(seed))
        z = np.vstack([p.z() for p in profiles])
        naive.append(dv.subjects_test(dv.contrast(z, a, b) - dv.contrast(network.z(), a, b),
                                      0.95).p)
    assert np.mean(np.array(naive) < 0.05) > 0.2


def test_noise_correction_removes_the_bias_toward_smaller_brain_contrasts():
    """A network equal to the brain's noise-free signal, a large contrast in both, noisy
    brains: z-scoring by the total SD shrinks the brain's contrast and the test calls the two
    different; standardizing by the signal SD does not (conservative here: the difference has
    no image variance, which the clipped component cannot go below)."""
    kw = {"rho": 1.0, "noise": 2.0, "brain_contrast": 2.0, "network_contrast": 2.0}
    plain, _ = null_rate(300, corrected=False, **kw)
    corrected, _ = null_rate(300, **kw)
    assert plain > 0.2
    assert corrected <= 0.06


def test_crossed_difference_detects_and_covers_a_planted_difference():
    """Brain contrast 2 raw units, network 0. The true difference in signal-SD units comes from
    one very large noiseless world; the interval covers it about 95 % of the time."""
    big, network, a, b = world(np.random.default_rng(99), n_subjects=50, n_a=5000, n_b=5000,
                               n_other=5000, brain_contrast=2.0, network_contrast=0.0,
                               noise=0.0, voxels=1, reps=2)
    big_z = np.vstack([p.z() for p in big])
    truth = float(dv.contrast(big_z, a, b).mean() - dv.contrast(network.z(), a, b))
    hits, covered = [], []
    for seed in range(200):
        profiles, network, a, b = world(np.random.default_rng(1000 + seed), brain_contrast=2.0,
                                        network_contrast=0.0)
        z = np.vstack([p.z() for p in profiles])
        test = dv.crossed_difference(z, network.z(), a, b, 0.95)
        hits.append(test.p < 0.05)
        covered.append(test.low <= truth <= test.high)
    assert np.mean(hits) > 0.6
    assert 0.9 <= np.mean(covered) <= 0.99


def test_pair_enrichment():
    rng = np.random.default_rng(6)
    resid = rng.normal(size=300)
    a = rng.random(300) < 0.3
    b = ~a & (rng.random(300) < 0.5)
    resid[a] += 1.5  # planted: A goes with brain-above-network residuals
    flags = np.where(resid >= 2, 1, np.where(resid <= -2, -1, 0))
    out = dv.pair_enrichment(resid, flags, a, b)
    div = flags == 1
    ref = stats.fisher_exact([[np.sum(div & a), np.sum(~div & a)],
                              [np.sum(div & b), np.sum(~div & b)]], alternative="greater")
    assert out["brain_above_p"] == pytest.approx(ref.pvalue)
    assert out["residual_difference"] > 1.0 and out["p"] < 1e-10
    null = []
    for seed in range(200):
        r = np.random.default_rng(seed).normal(size=300)
        g = np.random.default_rng(seed + 99).random(300)
        null.append(dv.pair_enrichment(r, np.where(r >= 2, 1, np.where(r <= -2, -1, 0)),
                                       g < 0.3, g > 0.7)["p"])
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


def _rngs(n: int, start: int = 0):
    return (np.random.default_rng(start + seed) for seed in range(n))


def test_found_hypothesis_replicates_by_chance_only_on_parts_that_reuse_discovery_data():
    """Null worlds (every pair's contrast shared by brain and networks): the hypothesis found
    on the discovery part replicates in at most 3 % of worlds on every held-out part (nominal
    2.5 %: same sign and two-sided p < 0.05), but far more often on a part that reuses the
    discovery images (their brain-minus-network responses carry the selection). Measured:
    1.5 % and 1.4 % on the two held-out parts (1.4-2.9 % over four sets of 1000 seeds), 11.2 %
    on the held-out subjects with the discovery images, 8.0 % with the held-out network on the
    discovery subjects and images (the former 'held-out models' part). On all subjects and
    images the crossed test of the first pair's (zero) brain-network difference rejects in
    4.9 %, a test over subjects alone (images fixed) in 62.7 %."""
    worlds = vd.divergence_worlds(_rngs(1000))
    rates = vd.replication_rates(worlds)
    for part in gp.PARTS:
        assert rates[vd.PART_KEYS[part.name]] <= 0.03, (part.name, rates)
    assert rates["same_images"] > 0.06, rates
    assert rates["same_subjects_images"] > 0.06, rates
    assert 0.03 <= np.mean(worlds["p_crossed"] < 0.05) <= 0.07
    assert np.mean(worlds["p_subjects"] < 0.05) > 0.2


def test_a_planted_difference_is_found_and_replicates():
    """The brain's human - animal face contrast 2 raw units (about 1.5 signal SD) above both
    networks', 20 images per label: found (p < 0.05) on the discovery part in most worlds
    (measured 90 %) and replicated on both held-out parts (73 %, 65 %). With 10 images per
    label, about 5 per group and part, the same difference is found in 57 % of worlds."""
    worlds = vd.divergence_worlds(_rngs(100, 5000), vd.PAIRS[1], **vd.PLANTED)
    rates = vd.planted_rates(worlds)
    assert rates["found"] > 0.8
    for part, rate in rates["replicated"].items():
        assert rate > 0.5, part


def test_generalise_runs_every_held_out_part_on_held_out_subjects_and_images():
    """The rows of one world: every candidate on discovery, one found; the pre-specified and
    the found hypothesis on each held-out part, with the held-out subjects and images only;
    the held-out models' part without a held-out model says so; the enrichment per pair."""
    brain, networks, candidates, disc_img = labelled_world(
        np.random.default_rng(7), difference=(3.0, 0.0, 0.0), per_label=20)
    disc_subj = np.arange(8) < 4
    rows = pd.DataFrame(gp.generalise(brain, networks, disc_subj, disc_img, "discovery",
                                      ["held-out"], candidates, PAIRS[2], 0.95))
    disc = rows[rows["part"] == "discovery"]
    assert len(disc) == 3 and (disc["hypothesis"] == "found").sum() == 1
    assert tuple(disc[disc["hypothesis"] == "found"][["label_a", "label_b"]].iloc[0]) == PAIRS[0]
    assert set(disc["n_images"]) == {int(disc_img.sum())}
    held = rows[rows["part"] != "discovery"]
    assert set(zip(held["part"], held["model"], strict=True)) == {
        ("held-out subjects and images", "discovery"),
        ("held-out models, subjects and images", "held-out")}
    assert set(held["n_subjects"]) == {4} and set(held["n_images"]) == {int((~disc_img).sum())}
    assert set(held["hypothesis"]) == {"pre-specified", "found"}
    assert all(isinstance(v, bool) for v in held["same_sign"])
    none = pd.DataFrame(gp.generalise(brain, networks, disc_subj, disc_img, "discovery", [],
                                      candidates, PAIRS[2], 0.95))
    note = none[none["part"] == "held-out models, subjects and images"]
    assert len(note) == 1 and "no trained model" in note["note"].iloc[0]
    enrichment = gp.discovery_enrichment(brain[:4], networks["discovery"], disc_img,
                                         candidates, 2.0)
    assert [(r["label_a"], r["label_b"]) for r in enrichment] == list(PAIRS)
    assert enrichment[0]["p"] < 0.05  # the planted pair goes with the residuals


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
        assert float(brain["p"]) > 0.05, region
    ppa = div["regions"]["PPA"]["brain"]
    assert ppa["estimate"] > 0.4 * ppa["category_effect"]
    # the images' varying signal strength (simulate.image_strength_sd) widens the crossed
    # subjects x images interval of a contrast over 10-16 images per group: p 0.06 on the demo
    assert float(ppa["p"]) < 0.1
    for region, e in div["regions"].items():
        pos = e["systems"]["positive_control"]["difference"]
        neg = e["systems"]["shifted_control"]["difference"]
        assert float(pos["p"]) > 0.05, region
        assert neg["estimate"] < -0.3 and float(neg["p"]) < 0.01, region


@pytest.mark.skipif(not (ROOT / "results" / "analyses" / "divergence" / "diagnostics.csv")
                    .is_file(),
                    reason="no committed divergence results")
def test_figure6_draws_when_tables_are_empty(tmp_path):
    """No trained model with selective units (empty per-image and generalisation tables) and
    no real sets (header-only files): Figure 6 still draws, with those panels empty."""
    from analysis.analyses.divergence import figure as figure6
    from analysis.analyses.divergence.compute import IT_COLUMNS, REAL_COLUMNS
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert figure6.read_table(empty).empty
    folder = ROOT / "results" / "analyses" / "divergence"
    fig = figure6.draw(figure6.read_table(empty), pd.read_csv(folder / "diagnostics.csv"),
                       pd.read_csv(folder / "subjects.csv"), figure6.read_table(empty),
                       pd.DataFrame(columns=REAL_COLUMNS), pd.DataFrame(columns=IT_COLUMNS),
                       {"faces": "FFA", "bodies": "EBA", "places": "PPA"}, "effnet_lite0", {},
                       2.0, {}, {})
    assert len(fig.axes) >= 9


def test_figure6_shows_every_held_out_part():
    from analysis.analyses.divergence import figure as figure6
    assert figure6.PARTS == ["discovery", *(part.name for part in gp.PARTS)]


def test_an_excluded_region_is_reported_not_crashed_on():
    """A threshold that leaves a region fewer than 2 subjects with signal: the region's one
    diagnostics row carries the reason, the summary and the table say it, the other region
    is summarised as before."""
    from analysis import config
    from analysis.analyses.divergence.compute import IT_COLUMNS, REAL_COLUMNS
    from analysis.analyses.divergence.report import divergence_table
    from analysis.analyses.divergence.summary import summary

    root = Path(__file__).resolve().parents[1]
    params = config.load_params(root / "params.yaml")
    folder = root / "results" / "analyses" / "divergence"
    tables = {name: pd.read_csv(folder / f"{name}.csv")
              for name in ("diagnostics", "subjects", "generalisation")}
    note = "excluded: fewer than 2 subjects have selected voxels with a measurable signal"
    kept = tables["diagnostics"][tables["diagnostics"]["region"] == "FFA"]
    tables["diagnostics"] = pd.concat([kept, pd.DataFrame([{
        "region": "EBA", "category": "bodies", "label_a": "exposed_limbs",
        "label_b": "covered_body", "system": "brain", "kind": "brain", "n_subjects": 1,
        "note": note}])], ignore_index=True)
    tables["real_images"] = pd.DataFrame(columns=REAL_COLUMNS)
    tables["it_rdm"] = pd.DataFrame(columns=IT_COLUMNS)
    out = summary(tables, params)
    assert out["regions"]["EBA"] == {"category": "bodies", "excluded": note}
    assert "brain" in out["regions"]["FFA"]
    table = divergence_table(out)
    assert "\\multicolumn{4}{l}{\\textbf{EBA}: excluded: fewer than 2 subjects" in table
