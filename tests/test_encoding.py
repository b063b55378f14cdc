"""Encoding accuracy and the necessity/sufficiency tests (analysis.analyses.encoding.voxelwise):
against pingouin, scipy, a brute-force permutation loop and NSD's noise ceiling; on planted
worlds the analysis must tell apart (tests/encoding_worlds.py: the brain driven by features only the
selective units carry, by features spread over the layer, or by a share of unique features);
and under the realistic null of the distributed world (image drive that varies across images,
units of varying gain, voxel-correlated noise, 3 repetitions), where neither test may fire
more often than its level."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.analyses.encoding import voxelwise as encoding
from tests import encoding_worlds as worlds

R = 39  # params encoding.random_sets


def test_concentrated_world_selective_units_are_necessary_and_sufficient():
    s = worlds.summary("concentrated", 1, **worlds.SMALL)
    assert s["necessary"] and s["better_than_random"] and not s["not_needed"]
    assert s["necessity_p"] == pytest.approx(2 / (R + 1))  # the most extreme of 40 sets
    assert s["drop_lesioned"] > 0.3
    assert s["sufficiency_share"] > 0.9


def test_distributed_world_selective_units_are_neither_necessary_nor_sufficient():
    """The paper's finding, planted: removing the selective units costs no more than removing
    random units of their number (not needed: below 5 % of the explainable variance); keeping
    only them costs accuracy."""
    s = worlds.summary("distributed", 2, **worlds.SMALL)
    assert abs(s["drop_lesioned"]) < 0.03 and abs(s["necessity"]) < 0.03
    assert s["sufficiency_share"] < 0.97
    assert not s["necessary"] and s["not_needed"]


def test_both_tests_hold_their_level_over_20_null_worlds():
    """The first 20 worlds of the slow calibration: each test fires in at most 3 of 20 at 0.05
    (binomial P(>= 4) = 0.016 at the nominal level)."""
    fired = np.array([[s["necessity_p"] <= 0.05, s["sufficiency_vs_random_p"] <= 0.05]
                      for s in (worlds.summary("distributed", 20_000 + k, **worlds.SMALL)
                                for k in range(20))])
    assert (fired.sum(axis=0) <= 3).all(), fired.sum(axis=0)


@pytest.mark.slow
def test_both_tests_hold_their_level_over_200_null_worlds():
    """Issue 20's acceptance: two-sided rejection <= 0.08 over 200 distributed null worlds for
    necessity and better-than-random (the exact level is 0.05; binomial P(> 16) = 0.03)."""
    ps = np.array([[s["necessity_p"], s["sufficiency_vs_random_p"]]
                   for s in (worlds.summary("distributed", 20_000 + k, **worlds.SMALL)
                             for k in range(200))])
    assert ((ps <= 0.05).mean(axis=0) <= 0.08).all(), (ps <= 0.05).mean(axis=0)


#: Planted share of the signal that only the selective units carry (tests/encoding_worlds.py):
#: removing them then costs the models 0.09 of the explainable variance on average (0.15
#: planted: 0.053, "not needed" in 4 of these 100 worlds; 0.05 planted: the models cannot learn
#: the features from 80 images and the units' extra variance costs more than they give, -0.03).
UNIQUE = 0.2


@pytest.mark.slow
def test_not_needed_rarely_fires_when_selective_units_carry_unique_variance():
    """Issue 20's acceptance: where removing the selective units costs the models at least 5 %
    of the explainable variance beyond random units (the mean measured cost over the worlds is
    checked), "not needed" fires in at most 5 % of 100 worlds; "necessary" fires in most
    (power; 0.79 measured)."""
    out = [worlds.summary("unique", 30_000 + k, unique_share=UNIQUE, **worlds.SMALL)
           for k in range(100)]
    assert np.mean([s["necessity_ev"] for s in out]) >= 0.05
    assert np.mean([s["not_needed"] for s in out]) <= 0.05
    assert np.mean([s["necessary"] for s in out]) >= 0.7


def test_draw_permutation_p_matches_a_brute_force_loop():
    """The p of the literal permutation distribution: each of the R + 1 sets in turn as the
    'selective' one, p = the share of sets at least as extreme in each direction (ties in)."""
    rng = np.random.default_rng(3)
    for trial in range(30):
        sel = rng.normal(size=8)
        rand = rng.normal(size=(8, R)) + rng.normal(size=(1, R))  # draws differ
        if trial % 3 == 0:  # ties with the selective set (integers: exact means)
            sel, rand = np.round(4 * sel), np.round(4 * rand)
            rand[:, :5] = sel[:, None]
        sets = [sel] + [rand[:, j] for j in range(R)]
        t = [float(np.mean(x)) for x in sets]
        hi = sum(1 for v in t if v >= t[0]) / len(t)
        lo = sum(1 for v in t if v <= t[0]) / len(t)
        assert encoding.draw_permutation_p(sel, rand) == pytest.approx(min(1, 2 * min(hi, lo)))


def test_draw_permutation_p_is_exact_at_39_sets():
    """Over the 40 equally likely ranks of the selective set, p <= 0.05 for exactly 2."""
    base = np.arange(R + 1, dtype=float)
    ps = [encoding.draw_permutation_p(np.array([rank]), np.delete(base, rank)[None, :])
          for rank in range(R + 1)]
    assert sum(p <= 0.05 for p in ps) == 2
    assert max(ps) == 1.0


def test_equivalence_without_draw_variance_is_the_one_sample_t():
    """Identical random sets (no draw variance): scipy's one-sample t of d - margin,
    alternative 'less', and pingouin's; df = n - 1."""
    import pingouin as pg
    rng = np.random.default_rng(4)
    sel = rng.normal(0.3, 0.05, 8)
    rand = np.repeat(rng.normal(0.32, 0.05, (8, 1)), R, axis=1)
    d = rand[:, 0] - sel
    out = encoding.equivalence_two_factor(sel, rand, 0.05)
    ref = stats.ttest_1samp(d - 0.05, 0.0, alternative="less")
    assert out.p == pytest.approx(ref.pvalue)
    assert out.df == pytest.approx(7)
    assert out.estimate == pytest.approx(d.mean())
    pg_ref = pg.ttest(d, 0.05, alternative="less")
    assert out.p == pytest.approx(float(pg_ref["p_val"].iloc[0] if "p_val" in pg_ref
                                        else pg_ref["p-val"].iloc[0]))


def test_two_factor_se_and_level_over_simulated_subjects_and_draws():
    """Subjects and draws both random: the SE matches the spread of the estimate over 2000
    simulated experiments (within 10 %), the test at a true effect equal to the margin rejects
    at about its level; leaving the draw variance out (the subjects' t alone) does not."""
    rng = np.random.default_rng(5)
    n_s, margin, est, se, p, t_subjects = 8, 0.05, [], [], [], []
    for _ in range(1000):
        subj = rng.normal(0, 0.03, (n_s, 1))                 # subject effects, shared
        rand = 0.3 + subj + rng.normal(0, 0.04, (1, R)) + rng.normal(0, 0.01, (n_s, R))
        sel = 0.3 - margin + subj[:, 0] + rng.normal(0, 0.01, n_s)
        out = encoding.equivalence_two_factor(sel, rand, margin)
        est.append(out.estimate), se.append(out.se), p.append(out.p)
        d = rand.mean(1) - sel - margin
        t_subjects.append(d.mean() / d.std(ddof=1) * np.sqrt(n_s))
    assert np.sqrt(np.mean(np.square(se))) == pytest.approx(np.std(est), rel=0.1)
    assert 0.03 <= np.mean(np.array(p) <= 0.05) <= 0.07
    assert np.mean(stats.t.cdf(t_subjects, n_s - 1) <= 0.05) > 0.1


def test_verdicts_reject_at_p_equal_to_alpha():
    base = {"necessity": 0.01, "sufficiency_vs_random": -0.01, "necessity_equivalence_p": 0.2}
    v = encoding.verdict(base | {"necessity_p": 0.05, "sufficiency_vs_random_p": 0.05}, 0.05)
    assert v == {"necessary": True, "not_needed": False, "better_than_random": False}


def test_tests_match_pingouin():
    """The subjects' t (descriptive), the effect, the share and the equivalence test on the
    explained-variance scale, from a table with two random draws."""
    import pingouin as pg
    rng = np.random.default_rng(7)
    rows = [{"subject": s, "feature_set": f, "draw": d, "acc": rng.normal(0.5, 0.1)}
            for s in range(8) for f, d in (("all", 0), ("lesioned", 0), ("selective", 0),
                                            ("random_lesioned", 1), ("random_lesioned", 2),
                                            ("random_only", 1), ("random_only", 2))]
    acc = pd.DataFrame(rows)
    out = encoding.necessity_sufficiency(acc, "acc", 0.05)
    wide = acc.groupby(["subject", "feature_set"])["acc"].mean().unstack()
    ref = pg.ttest(wide["random_lesioned"] - wide["lesioned"], 0)
    pcol = "p_val" if "p_val" in ref else "p-val"
    assert out["necessity_t_subjects"] == pytest.approx(float(ref["T"].iloc[0]))
    assert out["necessity_p_subjects"] == pytest.approx(float(ref[pcol].iloc[0]))
    assert out["necessity"] == pytest.approx(float((wide["random_lesioned"]
                                                    - wide["lesioned"]).mean()))
    assert out["necessity_draws"] == 2
    assert out["sufficiency_share"] == pytest.approx(float((wide["selective"]
                                                            / wide["all"]).mean()))
    ev = acc.assign(acc=np.sign(acc["acc"]) * acc["acc"] ** 2)
    rl = ev[ev["feature_set"] == "random_lesioned"].pivot(index="subject", columns="draw",
                                                           values="acc")
    les = ev[ev["feature_set"] == "lesioned"].set_index("subject")["acc"]
    d = rl.mean(axis=1) - les
    se2 = d.var() / 8 + rl.mean(axis=0).var() / 2
    df = se2**2 / ((d.var() / 8) ** 2 / 7 + (rl.mean(axis=0).var() / 2) ** 2 / 1)
    assert out["necessity_ev"] == pytest.approx(d.mean())
    assert out["necessity_ev_df"] == pytest.approx(df)
    assert out["necessity_equivalence_p"] == pytest.approx(
        stats.t.cdf((d.mean() - 0.05) / np.sqrt(se2), df))


def test_true_signal_as_prediction_reaches_the_noise_ceiling():
    """Positive control: predicting with the noise-free signal gives r at NSD's ceiling
    (normalised r near 1) whatever the voxel's ncsnr; a shuffled prediction gives ~0."""
    rng = np.random.default_rng(8)
    signal = rng.normal(size=(400, 60)) * rng.lognormal(0, 0.3, (400, 1))
    ncsnr = rng.uniform(0.3, 1.0, 60)
    z = (signal - signal.mean(0)) / signal.std(0)
    reps = z[:, :, None] + rng.normal(size=(400, 60, 3)) / ncsnr[None, :, None]
    acc = encoding.voxel_accuracy(signal, reps)
    assert acc["r_normalised"].median() == pytest.approx(1.0, abs=0.06)
    expected = ncsnr**2 / (ncsnr**2 + 1 / 3)
    assert np.abs(acc["noise_ceiling"] - expected).mean() < 0.04  # estimated from 400 images
    shuffled = encoding.voxel_accuracy(signal[rng.permutation(400)], reps)
    assert abs(shuffled["r_normalised"].median()) < 0.1


def test_the_pipeline_controls_reach_the_ceiling_and_chance():
    """Acceptance on the committed demo results (results/analyses/encoding, a pipeline
    output): the noise-free simulated brain as features predicts each region near its noise
    ceiling, the network with shuffled training images at chance."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "results/analyses/encoding/summary.json"
    if not path.is_file():
        pytest.skip("no pipeline results in this checkout (run `make repro`)")
    s = json.loads(path.read_text())
    if not s["positive_control"]:
        pytest.skip("this tier has no simulated brain")
    for region, pos in s["positive_control"].items():
        assert pos["univariate_rc"] > 0.85, region
        assert pos["voxel_r_normalised"] > 0.8, region
        for model in s["models"]:
            neg = s["by_model"][model][region]
            for m in ("univariate_rc", "multivariate_rc", "voxel_r_normalised"):
                assert abs(neg[m]["negative_control_mean"]) < 0.2, (region, model, m)
