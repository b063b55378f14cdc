"""Localizer tables: counts, overlap (Jaccard), overlap against chance (closed form, planted
shared units, an untrained-network-like null) and category profiles."""

from math import comb

import numpy as np
import pytest

from analysis.methods.localizer import (
    category_t,
    permuted_top_k_overlap,
    subsampled_category_t,
)
from analysis.selection import above
from analysis.stats.localizer_tables import (
    category_profile,
    chance_overlap,
    count,
    matched_overlap,
    overlap,
    top_k,
    top_k_overlap,
)
from tests.localizer_sims import CATS, image_sets


def test_count_and_overlap_closed_forms():
    a = np.array([1, 1, 0, 0, 1], bool)
    b = np.array([1, 0, 1, 0, 0], bool)
    assert count(a) == {"n_units": 5, "n_selected": 3, "pct_selected": 60.0}
    o = overlap(a, b)
    assert (o["floc_only"], o["both"], o["localizer2_only"]) == (2, 1, 1)
    assert o["jaccard"] == pytest.approx(1 / 4)
    assert np.isnan(overlap(np.zeros(3, bool), np.zeros(3, bool))["jaccard"])


def test_category_profile_is_the_mean_z_of_the_selected_units():
    rng = np.random.default_rng(0)
    labels = np.repeat(["faces", "bodies", "objects"], 10)
    x = rng.normal(size=(30, 6))
    x[labels == "faces", :3] += 2
    mask = np.array([1, 1, 1, 0, 0, 0], bool)
    prof = category_profile(x, labels, mask, ["faces", "bodies", "objects"])
    z = (x[:, :3] - x[:, :3].mean(0)) / x[:, :3].std(0)
    assert prof["faces"] == pytest.approx(z[labels == "faces"].mean())
    assert prof["faces"] > 0.8 > prof["bodies"]
    assert category_profile(x, labels, np.zeros(6, bool), ["faces"]) == {}


def test_chance_overlap_is_the_hypergeometric_tail():
    n, n_a, n_b = 40, 9, 12
    for both in (0, 3, 6, 9):
        ref = sum(comb(n_a, i) * comb(n - n_a, n_b - i)
                  for i in range(both, n_a + 1)) / comb(n, n_b)
        got = chance_overlap(both, n_a, n_b, n)
        assert got["p_hypergeom"] == pytest.approx(ref, rel=1e-9)
        assert got["expected"] == pytest.approx(n_a * n_b / n)


def test_top_k_overlap_closed_form():
    t_a = np.array([5.0, 4, 3, 3, np.nan, 1, 0])
    t_b = np.array([1.0, 4, 9, 0, 8, 2, 3])
    valid = np.isfinite(t_a) & np.isfinite(t_b)
    np.testing.assert_array_equal(top_k(t_a, 3, valid), [1, 1, 1, 0, 0, 0, 0])  # tie -> lower
    r = top_k_overlap(t_a, t_b, 3)  # A = {0, 1, 2}, B = {2, 6, 1} (unit 4 has no t_a)
    assert (r["k"], r["n_ranked"], r["both_top_k"]) == (3, 6, 2)
    assert r["expected_top_k"] == pytest.approx(9 / 6)
    assert r["jaccard_top_k"] == pytest.approx(2 / 4)
    assert r["p_hypergeom_top_k"] == pytest.approx(chance_overlap(2, 3, 3, 6)["p_hypergeom"])
    assert np.isnan(top_k_overlap(t_a, t_b, 0)["p_hypergeom_top_k"])
    with pytest.raises(ValueError, match="k = 7"):
        top_k_overlap(t_a, t_b, 7)


def test_hypergeometric_p_is_calibrated_for_independent_units():
    rng = np.random.default_rng(1)
    ps = [top_k_overlap(rng.normal(size=500), rng.normal(size=500), 40)["p_hypergeom_top_k"]
          for _ in range(400)]
    assert 0.02 <= np.mean(np.array(ps) < 0.05) <= 0.07  # discrete: at most nominal


def _sim_overlap(seed: int, **kw) -> tuple[float, float]:
    """Hypergeometric and permutation p of the top-50 overlap of two simulated localizers."""
    rng = np.random.default_rng(seed)
    (x1, l1), (x2, l2) = image_sets(rng, n_units=400, **kw)
    t1, t2 = category_t(x1, l1, CATS)["faces"], category_t(x2, l2, CATS)["faces"]
    r = top_k_overlap(t1, t2, 50)
    valid = np.isfinite(t1) & np.isfinite(t2)
    null = permuted_top_k_overlap(x2, l2, "faces", CATS, top_k(t1, 50, valid), valid, 100, rng)
    return r["p_hypergeom_top_k"], (1 + np.sum(null >= r["both_top_k"])) / 101


def test_top_k_overlap_recovers_planted_shared_units():
    for seed in range(5):
        p_hyper, p_perm = _sim_overlap(seed, drive=0.0, planted=50)
        assert p_hyper < 1e-6 and p_perm < 0.02


def test_correlated_units_need_the_permutation_null():
    # the second set's labels carry no information, but units share latent features
    ps = np.array([_sim_overlap(seed, drive=0.0, factors=2) for seed in range(100)])
    assert np.mean(ps[:, 1] < 0.05) <= 0.08   # permutation p: calibrated
    assert np.mean(ps[:, 0] < 0.05) >= 0.12   # hypergeometric p: anti-conservative


def test_matched_overlap_closed_form():
    t_b = np.array([5.0, 5, 0, 0, np.nan])
    t_a = np.array([[5.0, 0, 5, 0, 5],     # selects 0, 2, 4: both {0}; 4 units valid
                    [5.0, 5, 0, 0, 0]])    # selects 0, 1: both {0, 1}
    r = matched_overlap(t_a, t_b, 1.0)
    assert r["n_floc_matched"] == pytest.approx(2.5)
    assert r["both_matched"] == pytest.approx(1.5)
    assert r["expected_matched"] == pytest.approx((2 * 2 / 4 + 2 * 2 / 4) / 2)
    assert r["jaccard_matched"] == pytest.approx((1 / 4 + 2 / 2) / 2)


def _independent_sets(rng: np.random.Generator, per_category: int) -> tuple[np.ndarray, np.ndarray]:
    """Independent units; the first 300 of 2000 respond 0.6 SD more to faces."""
    labels = np.repeat(CATS, per_category)
    x = rng.normal(size=(labels.size, 2000))
    x[labels == "faces", :300] += 0.6
    return x, labels


def test_matched_images_remove_the_set_size_confound():
    # both sets from one model of the units; fLoc has 48 images per category, localizer2 20
    rng = np.random.default_rng(2)
    rows = []
    for _ in range(5):
        (x1, l1), (x2, l2) = _independent_sets(rng, 48), _independent_sets(rng, 20)
        t1, t2 = category_t(x1, l1, CATS)["faces"], category_t(x2, l2, CATS)["faces"]
        m = matched_overlap(subsampled_category_t(x1, l1, "faces", CATS, 20, 10, rng), t2, 3.0)
        rows.append((above(t1, 3.0).sum(), above(t2, 3.0).sum(), m["n_floc_matched"],
                     m["both_matched"], m["expected_matched"]))
    n_full, n_loc2, n_matched, both, expected = np.mean(rows, axis=0)
    assert n_full > 2 * n_loc2                          # the confound
    assert n_matched == pytest.approx(n_loc2, rel=0.1)  # removed at equal images
    assert both > 5 * expected                          # the planted units are shared
