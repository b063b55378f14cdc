"""Encoding accuracy and the necessity/sufficiency tests (analysis.stats.encoding): against
pingouin and NSD's noise ceiling, on two planted worlds the analysis must tell apart (the brain
driven by features only the selective units carry, or by features spread over the layer) and
under the realistic null of the second world (image drive that varies across images,
correlated noise, 3 repetitions), where the necessity test must not fire."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from analysis.stats import encoding

ALPHAS = list(np.logspace(-3, 3, 13))
N_TRAIN, N_TEST, P, N_SEL, N_SUBJ, N_VOX = 240, 120, 400, 40, 8, 25


def _measure(signal, rng, ncsnr):
    """Three repetitions of (n, v) z-scored signal with correlated noise at a given ncsnr."""
    s = (signal - signal.mean(0)) / signal.std(0)
    noise = (np.sqrt(0.7) * rng.normal(size=(*s.shape, 3))
             + np.sqrt(0.3) * rng.normal(size=(s.shape[0], 1, 3)))
    return s[:, :, None] + noise / ncsnr


def _world(kind: str, seed: int):
    """(units (n, P) rectified, selective mask, per subject (train targets, test reps))."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_TEST
    strength = rng.lognormal(0, 0.4, (n, 1))        # some images drive everything more
    z = rng.normal(size=(n, 10)) * strength          # features spread over the layer
    u = rng.normal(size=(n, 4)) * strength           # features only selective units carry
    units = z @ rng.normal(size=(10, P)) + 0.3 * rng.normal(size=(n, P))
    sel = np.zeros(P, bool)
    sel[:N_SEL] = True
    if kind == "concentrated":
        units[:, sel] = u @ rng.normal(size=(4, N_SEL)) + 0.3 * rng.normal(size=(n, N_SEL))
        drive = u
    else:
        drive = z
    units = np.maximum(units + 1.0, 0)               # rectified responses with a baseline
    shared_w = rng.normal(size=(drive.shape[1], N_VOX))
    subjects = []
    for _ in range(N_SUBJ):
        w = shared_w + 0.3 * rng.normal(size=shared_w.shape)
        reps = _measure(drive @ w, rng, rng.uniform(0.3, 0.6))
        subjects.append((reps[:N_TRAIN].mean(2), reps[N_TRAIN:]))
    return units, sel, subjects


def _accuracies(kind: str, seed: int) -> pd.DataFrame:
    units, sel, subjects = _world(kind, seed)
    rng = np.random.default_rng(seed + 100)
    rand = [np.isin(np.arange(P), rng.choice(P, N_SEL, replace=False)) for _ in range(4)]
    k_all = units @ units.T
    sets = encoding.feature_kernels(k_all, units[:, sel] @ units[:, sel].T,
                                    [units[:, m] @ units[:, m].T for m in rand])
    rows = []
    for s, (y, test) in enumerate(subjects):
        for (name, draw), k in sets.items():
            pred, _ = encoding.fit_predict(k, N_TRAIN, y, ALPHAS)
            acc = encoding.voxel_accuracy(pred, test)
            rows.append({"subject": s, "feature_set": name, "draw": draw,
                         "acc": float(acc["r_normalised"].median())})
    return pd.DataFrame(rows)


def test_concentrated_world_selective_units_are_necessary_and_sufficient():
    summary = encoding.necessity_sufficiency(_accuracies("concentrated", 1), "acc")
    decision = encoding.verdict(summary, 0.05)
    assert decision["necessary"] and decision["better_than_random"]
    assert not decision["not_needed"]
    assert summary["drop_lesioned"] > 0.3
    assert summary["sufficiency_share"] > 0.9


def test_distributed_world_selective_units_are_neither_necessary_nor_sufficient():
    """The paper's finding, planted: removing the selective units costs no more than removing
    random units of their number; keeping only them costs accuracy."""
    summary = encoding.necessity_sufficiency(_accuracies("distributed", 2), "acc")
    assert abs(summary["drop_lesioned"]) < 0.03
    assert abs(summary["necessity"]) < 0.03
    assert summary["sufficiency_share"] < 0.97
    decision = encoding.verdict(summary, 0.05)
    assert not decision["necessary"] and decision["not_needed"]


def test_necessity_test_is_calibrated_under_the_distributed_null():
    """Over independent worlds where selective units carry nothing special, the necessity
    test fires at about its level (at most 2 of 10 at 0.05; binomial P(>=3) = 0.012)."""
    fired = [encoding.verdict(encoding.necessity_sufficiency(
        _accuracies("distributed", 10 + k), "acc"), 0.05)["necessary"] for k in range(10)]
    assert sum(fired) <= 2


def test_tests_match_pingouin():
    rng = np.random.default_rng(7)
    rows = [{"subject": s, "feature_set": f, "draw": d, "acc": rng.normal(0.5, 0.1)}
            for s in range(8) for f, d in (("all", 0), ("lesioned", 0), ("selective", 0),
                                            ("random_lesioned", 1), ("random_lesioned", 2),
                                            ("random_only", 1), ("random_only", 2))]
    acc = pd.DataFrame(rows)
    out = encoding.necessity_sufficiency(acc, "acc")
    wide = acc.groupby(["subject", "feature_set"])["acc"].mean().unstack()
    ref = pg.ttest(wide["random_lesioned"] - wide["lesioned"], 0)
    assert out["necessity_t"] == pytest.approx(float(ref["T"].iloc[0]))
    assert out["necessity_p"] == pytest.approx(float(ref["p_val"].iloc[0]
                                                     if "p_val" in ref else
                                                     ref["p-val"].iloc[0]))
    assert out["necessity"] == pytest.approx(float((wide["random_lesioned"]
                                                    - wide["lesioned"]).mean()))
    assert out["sufficiency_share"] == pytest.approx(float((wide["selective"]
                                                            / wide["all"]).mean()))
    d = wide["random_lesioned"] - wide["lesioned"] - 0.02
    ref = pg.ttest(d, 0, alternative="less")
    assert out["necessity_below_margin_p"] == pytest.approx(float(
        ref["p_val"].iloc[0] if "p_val" in ref else ref["p-val"].iloc[0]))


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
    """Acceptance on the committed demo results (results/encoding, a pipeline output): the
    noise-free simulated brain as features predicts each region near its noise ceiling, the
    network with shuffled training images at chance."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "results/encoding/summary.json"
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
