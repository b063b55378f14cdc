"""Unit localizer statistics against scipy/statsmodels, and on planted selective units."""

import numpy as np
import pytest
import scipy.stats
from statsmodels.stats.multitest import multipletests

from analysis.stats.localizer import category_t, conjunction, generalisation, welch_t
from analysis.stats.selection import above

CATS = ["faces", "bodies", "places", "characters", "objects"]


def test_welch_t_equals_scipy_and_nsd_formula():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 2, (30, 50)), rng.normal(0, 1, (90, 50))
    ref = scipy.stats.ttest_ind(a, b, equal_var=False).statistic
    np.testing.assert_allclose(welch_t(a, b), ref, rtol=1e-10)
    se = np.sqrt(a.std(0, ddof=1) ** 2 / 30 + b.std(0, ddof=1) ** 2 / 90)
    np.testing.assert_allclose(welch_t(a, b), (a.mean(0) - b.mean(0)) / se, rtol=1e-10)


def test_constant_units_are_nan_and_never_selected():
    t = welch_t(np.ones((5, 2)), np.ones((5, 2)))
    assert np.isnan(t).all() and not above(t, 0).any()


def _planted(rng, n_per=40, n_units=2000, n_face=100, effect=1.5):
    labels = np.repeat(CATS + ["scrambled"], n_per)
    x = rng.normal(size=(len(labels), n_units))
    x[np.ix_(labels == "faces", np.arange(n_face))] += effect
    return x, labels


def test_localizer_recovers_planted_units_and_controls_false_positives():
    rng = np.random.default_rng(1)
    x, labels = _planted(rng)
    t = category_t(x, labels, CATS)["faces"]
    sel = above(t, 3.0)
    assert sel[:100].mean() > 0.95           # planted units found
    assert sel[100:].mean() < 0.01           # nulls rarely pass t > 3


def test_false_positive_rate_is_nominal_without_an_effect():
    rng = np.random.default_rng(2)
    x, labels = _planted(rng, n_units=20000, n_face=0)
    t = category_t(x, labels, CATS)["faces"]
    # one-sided Welch t with ~200 df: P(t > 1.645) ~ 0.05
    assert above(t, 1.645).mean() == pytest.approx(0.05, abs=0.006)


def test_conjunction_matches_statsmodels_by_and_needs_every_pair():
    rng = np.random.default_rng(3)
    x, labels = _planted(rng, n_units=500, n_face=50)
    x[np.ix_(labels == "bodies", np.arange(25))] += 1.5  # first 25: faces ~ bodies
    got = conjunction(x, labels, "faces", CATS[1:], alpha=0.05, method="fdr_by")
    ref = np.ones(500, bool)
    for o in CATS[1:]:
        p = scipy.stats.ttest_ind(x[labels == "faces"], x[labels == o], equal_var=False,
                                  alternative="greater").pvalue
        ref &= multipletests(p, 0.05, "fdr_by")[0]
    np.testing.assert_array_equal(got, ref)
    assert got[25:50].mean() > 0.9 and got[:25].mean() < 0.2 and got[50:].mean() < 0.01


def test_generalisation_detects_preference_and_is_calibrated():
    rng = np.random.default_rng(4)
    labels = np.repeat(["face", "body", "scene", "object"], 30)
    x = rng.normal(size=(120, 300))
    x[np.ix_(labels == "face", np.arange(50))] += 1.0
    mask = np.zeros(300, bool)
    mask[:50] = True
    g = generalisation(x, labels, "face", mask)
    assert g["p"] < 1e-6 and g["frac_units_prefer"] > 0.9
    ps = []
    for seed in range(200):  # no preference: p is uniform
        r = np.random.default_rng(100 + seed)
        ps.append(generalisation(r.normal(size=(120, 20)), labels, "face",
                                 np.ones(20, bool))["p"])
    assert np.mean(np.array(ps) < 0.05) == pytest.approx(0.05, abs=0.04)
