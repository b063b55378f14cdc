"""Noise-corrected similarity: closed form, and recovery of planted truths on simulated data."""

import numpy as np
import pytest
import scipy.stats

from analysis.methods.profiles import pair_mask, rdm, univariate_units_sample
from analysis.methods.reliability import split_half_sb
from analysis.methods.similarity import pearson, rdm_similarity
from analysis.methods.standardize import varying, zscore_columns
from analysis.stats.comparison import norm


def test_pearson_equals_numpy_and_scipy():
    rng = np.random.default_rng(4)
    for n in (3, 50, 5000):
        a, b = rng.normal(size=n), rng.normal(size=n) + 0.3 * np.arange(n)
        assert pearson(a, b) == pytest.approx(np.corrcoef(a, b)[0, 1], abs=1e-12)
        assert pearson(a, b) == pytest.approx(scipy.stats.pearsonr(a, b).statistic, abs=1e-12)
    assert np.isnan(pearson(np.ones(5), rng.normal(size=5)))


def test_norm_closed_form():
    """The attenuation of a pair, sqrt(rel_x rel_y): a negative estimate counts as 0, an
    undefined one makes it undefined."""
    assert 0.45 / norm(0.81, 0.25) == pytest.approx(0.45 / np.sqrt(0.81 * 0.25))
    assert 0.5 / norm(0.25) == pytest.approx(1.0)
    assert norm(-0.1, 0.5) == 0.0 and np.isnan(norm(np.nan, 0.5))


def test_rdm_is_correlation_distance_in_pdist_order():
    x = np.array([[1.0, 2, 3], [2, 1, 0], [0, 1, 1], [5, 3, 1]])  # 4 features x 3 images
    d = rdm(x.T)  # rdm takes (images, features)
    assert d[0] == pytest.approx(1 - np.corrcoef(x[:, 0], x[:, 1])[0, 1])
    assert d[2] == pytest.approx(1 - np.corrcoef(x[:, 1], x[:, 2])[0, 1])
    assert rdm_similarity(d, d, "spearman") == pytest.approx(1.0)


def test_pair_mask_drops_duplicate_pairs():
    assert pair_mask(np.array([3, 3, 5])).tolist() == [False, True, True]


def test_univariate_units_zscores_each_unit():
    a = np.array([[1.0, 100.0, 7.0], [2.0, 300.0, 7.0], [3.0, 200.0, 7.0]])
    np.testing.assert_allclose(univariate_units_sample(a, a**2, np.arange(3)),
                               [-1.2247449, 0.6123724, 0.6123724])


def _subjects(rng, truth, n_sub, noise):
    """Repeated noisy measurements of one true profile: list of (n_img, 3)."""
    return [truth[:, None] + noise * rng.normal(size=(len(truth), 3)) for _ in range(n_sub)]


def test_corrected_human_human_is_about_one_and_planted_gap_is_recovered():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=500)
    subs = _subjects(rng, truth, 8, noise=1.5)
    rel = [split_half_sb(s) for s in subs]
    hh = [pearson(subs[i].mean(1), subs[j].mean(1)) / norm(rel[i], rel[j])
          for i in range(8) for j in range(i + 1, 8)]
    assert np.mean(hh) == pytest.approx(1.0, abs=0.05)
    raw = [pearson(subs[i].mean(1), subs[j].mean(1)) for i in range(8) for j in range(i + 1, 8)]
    assert np.mean(raw) < 0.7  # the correction matters at this noise level
    rho = 0.6  # planted: the network's (noiseless) profile correlates 0.6 with the truth
    other = rng.normal(size=500)
    other -= truth * (other @ truth) / (truth @ truth)
    net = rho * truth / truth.std() + np.sqrt(1 - rho**2) * other / other.std()
    hn = [pearson(s.mean(1), net) / norm(r) for s, r in zip(subs, rel, strict=True)]
    assert np.mean(hn) == pytest.approx(rho, abs=0.05)


def test_indexing_the_full_rdm_equals_recomputing_it_on_a_sample():
    """Profiles index RDMs computed once on all images; that must give the same numbers as
    recomputing the RDM on a bootstrap sample (with duplicates) or a half."""
    from analysis.methods.profiles import pair_positions

    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 7))
    for idx in (np.sort(rng.integers(0, 40, 40)), np.arange(0, 40, 2), rng.permutation(40)):
        np.testing.assert_array_equal(rdm(x)[pair_positions(idx, 40)],
                                      rdm(x[idx])[pair_mask(idx)])


def test_sample_profile_equals_the_profile_of_the_copied_sample():
    def univariate_units(x):  # the definition, on a copied sample
        return zscore_columns(x)[:, varying(x)].mean(1)

    rng = np.random.default_rng(3)
    acts = np.maximum(rng.normal(size=(40, 25)), 0)
    acts[:, 3] = 0.0                 # a silent unit
    acts[:, 4] = np.r_[1.0, np.zeros(39)]  # fires for one image only
    for seed in range(5):
        idx = np.sort(np.random.default_rng(seed).integers(0, 40, 40))
        np.testing.assert_allclose(univariate_units_sample(acts, acts**2, idx),
                                   univariate_units(acts[idx]), rtol=1e-9, atol=1e-12)


def test_similarity_matrix_matches_scipy_pearson_and_spearman():
    """The inference's all-pairs correlation matrix (one matrix product) equals scipy pair by
    pair; a constant vector has none; with a missing value or unequal lengths it falls back to
    pairwise-complete correlations (rdm_similarity)."""
    from analysis.stats.gap_inference import _correlation_matrix

    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 60))
    x[2] = np.round(x[2])  # ties for the rank path
    for method, ref in (("pearson", scipy.stats.pearsonr), ("spearman", scipy.stats.spearmanr)):
        c = _correlation_matrix(list(x) + [np.ones(60)], method)
        for i in range(5):
            for j in range(5):
                assert c[i, j] == pytest.approx(ref(x[i], x[j]).statistic, abs=1e-12)
        assert np.isnan(c[5]).all()  # a constant vector has no correlation
    gappy = np.r_[np.nan, x[0, 1:]]
    c = _correlation_matrix([gappy, x[1], x[3]], "pearson")
    assert c[0, 1] == pytest.approx(scipy.stats.pearsonr(x[0, 1:], x[1, 1:]).statistic,
                                    abs=1e-12)
    assert c[1, 2] == pytest.approx(scipy.stats.pearsonr(x[1], x[3]).statistic, abs=1e-12)
