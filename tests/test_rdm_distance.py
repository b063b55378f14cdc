"""RDM distances: the cross-validated squared Euclidean distance (the default) against a
closed form, its unbiasedness, its reliability against the truth down to low SNR, and the
varying-strength null under which the paper's correlation distance favours human-human
similarity while the cross-validated distance does not.

The null keeps the structure of real data: image signal strength varies (weakly driven,
non-preferred images), the noise is correlated across voxels, there are 3 repetitions.
"""

import numpy as np
import pytest

from analysis.responses import BrainId, NetworkId, Responses
from analysis.stats.comparison import (
    POOLED_TRAINED,
    Method,
    bootstrap_gap,
    gap,
    similarities,
)
from analysis.stats.inference import bootstrap_summary
from analysis.stats.profiles import crossval_others, crossval_rdms, sq_euclidean_rdm
from analysis.stats.reliability import crossval_rdm_reliability
from analysis.stats.similarity import pearson

N_IMG, N_VOX = 80, 40


def _noise(rng, shape, corr=0.3):
    """Noise correlated across voxels (a shared component per image and repetition)."""
    n_img, n_vox, n_rep = shape
    return (np.sqrt(1 - corr) * rng.normal(size=shape)
            + np.sqrt(corr) * rng.normal(size=(n_img, 1, n_rep)))


def test_crossval_rdm_against_a_loop_over_repetition_pairs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5, 3))
    d, pairs, singles = crossval_rdms(x)
    expected, k = [], 0
    for i in range(6):
        for j in range(i + 1, 6):
            terms = [np.dot(x[i, :, a] - x[j, :, a], x[i, :, b] - x[j, :, b]) / 5
                     for a in range(3) for b in range(3) if a != b]
            expected.append(np.mean(terms))
            assert singles[1][k] == pytest.approx(np.sum((x[i, :, 1] - x[j, :, 1]) ** 2) / 5)
            k += 1
    assert d == pytest.approx(np.array(expected), rel=1e-12)
    others = crossval_others(pairs, 3)
    assert others[0] == pytest.approx(pairs[(1, 2)], rel=1e-12)
    assert sq_euclidean_rdm(x[:, :, 0]) == pytest.approx(singles[0])


def test_crossval_distance_is_unbiased_where_the_plain_one_is_not():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(10, N_VOX))
    true_d = sq_euclidean_rdm(truth)
    cv, plain = [], []
    for _ in range(400):
        x = truth[:, :, None] + 1.5 * _noise(rng, (10, N_VOX, 3))
        cv.append(crossval_rdms(x)[0])
        plain.append(sq_euclidean_rdm(x.mean(2)))
    bias = np.mean(cv, axis=0) - true_d
    assert abs(bias.mean()) < 0.02 and np.abs(bias).max() < 0.25  # sampling error only
    # noise (unit variance per voxel, SD 1.5) adds 2 sigma^2 / n_rep per feature to every plain
    # distance of the repetition means
    assert np.mean(np.mean(plain, axis=0) - true_d) == pytest.approx(2 * 2.25 / 3, rel=0.05)


@pytest.mark.parametrize("noise", [0.7, 1.5, 2.0])  # true reliability about 0.9, 0.5, 0.27
def test_crossval_reliability_matches_the_truth_down_to_low_snr(noise):
    rng = np.random.default_rng(2)
    est, true = [], []
    for _ in range(20):
        truth = rng.uniform(0.2, 1.5, size=(N_IMG, 1)) * rng.normal(size=(N_IMG, N_VOX))
        x = truth[:, :, None] + noise * _noise(rng, (N_IMG, N_VOX, 3))
        d, pairs, singles = crossval_rdms(x)
        est.append(crossval_rdm_reliability(singles, crossval_others(pairs, 3), d))
        true.append(pearson(d, sq_euclidean_rdm(truth)) ** 2)
    assert np.mean(est) == pytest.approx(np.mean(true), abs=0.04)


def _varying_strength_world(rng, noise):
    """8 subjects and a network with the same true patterns; image strength varies."""
    truth = rng.uniform(0.05, 1.5, size=(N_IMG, 1)) * rng.normal(size=(N_IMG, N_VOX))
    brains = [Responses(truth[:, :, None] + noise * _noise(rng, (N_IMG, N_VOX, 3)),
                        np.arange(N_IMG), np.arange(N_VOX), BrainId(s, "FFA"))
              for s in range(1, 9)]
    net = Responses.from_network(truth, np.arange(N_IMG), np.arange(N_VOX),
                                 NetworkId("truth", "layer", True))
    return brains, [net]


@pytest.mark.parametrize("noise", [1.0, 1.5])
def test_varying_strength_null_crossval_finds_no_gap_correlation_distance_does(noise):
    rng = np.random.default_rng(3)
    brains, nets = _varying_strength_world(rng, noise)
    idx = np.arange(N_IMG)
    unbiased = gap(similarities(brains, nets, idx, Method("crossval_euclidean")))
    paper = gap(similarities(brains, nets, idx, Method("correlation")))
    assert abs(unbiased["multivariate"]) < 0.05
    boot = bootstrap_gap(brains, nets, N_IMG, 60, np.random.default_rng(4),
                         Method("crossval_euclidean"))
    ci = bootstrap_summary(boot[POOLED_TRAINED]["multivariate"])
    assert ci["ci_low"] <= 0 <= ci["ci_high"]
    # the bias of the paper's method: a spurious HH - HN gap with identical true patterns
    assert paper["multivariate"] > unbiased["multivariate"] + 0.04


def test_missing_repetitions_leave_the_crossval_rdm_finite_where_two_are_shared():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 5, 3))
    x[2, :, 1:] = np.nan          # image 2 seen once: no cross-validated distance
    x[4, :, 2] = np.nan           # image 4 seen twice: one repetition pair
    d, pairs, _ = crossval_rdms(x)
    i, j = np.triu_indices(6, k=1)
    assert np.isnan(d[(i == 2) | (j == 2)]).all()
    assert np.isfinite(d[(i != 2) & (j != 2)]).all()
    ok = (i == 4) & (j == 5)
    assert d[ok] == pytest.approx(pairs[(0, 1)][ok])
