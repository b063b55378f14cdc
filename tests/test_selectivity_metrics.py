"""Selectivity metrics against closed forms and scipy/statsmodels; edge cases of FSI."""

import numpy as np
import pytest
import scipy.stats

from analysis.stats.selectivity_metrics import (
    METRICS,
    all_metrics,
    bh_reject,
    consistency,
    dprime,
    floor_summary,
    fsi,
    label_permutations,
    null_fractions,
    pairwise_t,
    ranksum,
    selective_fractions,
    zero_percent,
)


def test_fsi_closed_form_and_edge_cases():
    face = np.array([[2.0, 1.0, 0.0, 0.0, 1.0], [4.0, 1.0, 0.0, 0.0, 1.0]])
    other = np.array([[1.0, 1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 0.0, 1.0, 0.0]])
    got = fsi(face, other)
    assert got[0] == pytest.approx((3 - 1) / (3 + 1))  # twice as strong -> 0.5
    assert got[1] == 0.0            # equal responses
    assert got[2] == 0.0            # silent unit: 0/0 -> 0, not NaN
    assert got[3] == -1.0           # silent for faces only -> never selective
    assert got[4] == 1.0            # silent for everything else
    assert fsi(np.array([[2.0]]), np.array([[1.0]]))[0] == pytest.approx(1 / 3)


def test_fsi_refuses_signed_responses():
    with pytest.raises(ValueError, match="non-negative.*rectified"):
        fsi(np.array([[1.0, -0.5]]), np.array([[0.5, 0.2]]))


def _null_units(rng, n_units=20000, per_domain=48):
    """Realistic null: no category effect; image strength varies (log-normal gain), units share
    image-driven variance (rank 5), unit biases vary so some units are nearly silent; the
    pre-activation (signed) responses and their rectified version."""
    dom = np.repeat(["faces", "bodies", "places", "characters", "objects"], per_domain)
    n_img = len(dom)
    strength = rng.lognormal(0, 0.5, n_img)[:, None]
    shared = rng.normal(size=(n_img, 5)) @ rng.normal(size=(5, n_units)) / np.sqrt(5)
    pre = strength * (0.6 * shared + 0.8 * rng.normal(size=(n_img, n_units)))
    pre += rng.normal(0, 1, n_units)
    return dom, pre, np.maximum(pre, 0)


def test_fsi_refuses_signed_null_responses_and_noise_model_metrics_stay_near_zero():
    """The review's failure: on signed zero-mean null units, FSI of rectified means called
    about half the units face-selective (computed here as the reference of the failure), so
    FSI refuses signed responses. On post-activation responses (about 50 % zeros here) the
    metrics with a noise model stay near zero; FSI's own null rate is not bounded by a fixed
    number (4.4 % mean, up to 12 % over 30 seeds of this null): it is its label-permutation
    floor, tested below."""
    signed_rates = []
    for seed in range(8):
        dom, pre, x = _null_units(np.random.default_rng(seed), n_units=4000)
        v = all_metrics(x, dom)
        for m in ("dprime", "ranksum", "pairwise_t"):
            assert v[f"{m}_selective"].mean() < 0.01, m
        z = pre - pre.mean(0)  # zero-mean signed units, as a BatchNorm output
        f, o = np.maximum(z[dom == "faces"].mean(0), 0), np.maximum(z[dom != "faces"].mean(0), 0)
        signed_rates.append(np.mean(np.where(f + o > 0, (f - o) / np.where(f + o > 0, f + o, 1),
                                             0) > 0.3))
        with pytest.raises(ValueError):
            all_metrics(pre, dom)
    assert np.mean(signed_rates) > 0.3


def test_fsi_finds_planted_face_units_among_null_units():
    dom, _, x = _null_units(np.random.default_rng(5), n_units=2000)
    x[dom == "faces", :200] = x[dom == "faces", :200] * 3 + 1.0
    v = all_metrics(x, dom)
    assert v["fsi_selective"][:200].mean() > 0.9
    assert v["fsi_selective"][200:].mean() < 0.05


def test_dprime_closed_form():
    rng = np.random.default_rng(0)
    f, o = rng.normal(1, 1, (20, 3)), rng.normal(0, 2, (50, 3))
    ref = (f.mean(0) - o.mean(0)) / np.sqrt((f.var(0, ddof=1) + o.var(0, ddof=1)) / 2)
    np.testing.assert_allclose(dprime(f, o), ref)
    assert np.isnan(dprime(np.ones((3, 1)), np.ones((3, 1))))[0]


def test_ranksum_matches_scipy():
    rng = np.random.default_rng(1)
    f, o = rng.normal(0.5, 1, (15, 4)), rng.normal(0, 1, (40, 4))
    auc, p = ranksum(f, o)
    for j in range(4):
        ref = scipy.stats.mannwhitneyu(f[:, j], o[:, j], alternative="greater",
                                       method="asymptotic")
        assert p[j] == pytest.approx(ref.pvalue)
        assert auc[j] == pytest.approx(ref.statistic / (15 * 40))


def test_pairwise_t_uses_bh_per_pair_and_needs_every_pair():
    from statsmodels.stats.multitest import multipletests
    rng = np.random.default_rng(2)
    f = rng.normal(0, 1, (30, 200))
    f[:, :40] += 1.5
    others = {"bodies": rng.normal(0, 1, (30, 200)), "places": rng.normal(0, 1, (30, 200))}
    others["bodies"][:, :20] += 1.5  # units 0-19: faces ~ bodies
    tmin, sel = pairwise_t(f, others)
    ref = np.ones(200, bool)
    for o in others.values():
        p = scipy.stats.ttest_ind(f, o, equal_var=False, alternative="greater").pvalue
        ref &= multipletests(p, 0.05, "fdr_bh")[0]
    np.testing.assert_array_equal(sel, ref)
    assert sel[20:40].all() and sel[:20].mean() < 0.2
    t_places = scipy.stats.ttest_ind(f, others["places"], equal_var=False).statistic
    t_bodies = scipy.stats.ttest_ind(f, others["bodies"], equal_var=False).statistic
    np.testing.assert_allclose(tmin, np.minimum(t_places, t_bodies))


def test_metrics_find_planted_face_units_and_agree_on_them():
    rng = np.random.default_rng(3)
    dom = np.repeat(["faces", "bodies", "places", "characters", "objects", "scrambled"], 40)
    x = np.abs(rng.normal(1, 0.3, (240, 1000)))
    x[np.ix_(dom == "faces", np.arange(100))] *= 3.0
    v = all_metrics(x, dom)
    for m in ("fsi", "dprime", "ranksum", "pairwise_t"):
        assert v[f"{m}_selective"][:100].mean() > 0.95, m
        assert v[f"{m}_selective"][100:].mean() < 0.02, m
    c = consistency(v)
    assert (c["spearman"] > 0.3).all()


def test_null_units_pass_ranksum_at_its_nominal_rate():
    rng = np.random.default_rng(4)
    dom = np.repeat(["faces", "bodies", "places", "characters", "objects"], 40)
    v = all_metrics(rng.lognormal(size=(200, 20000)), dom)
    assert (v["ranksum_p"] < 0.05).mean() == pytest.approx(0.05, abs=0.006)


def test_equal_n_kernels_and_top_ranked_choice():
    import pandas as pd

    from analysis.stats.selectivity_metrics import equal_n, top_ranked

    v = pd.DataFrame({f"{m}_selective": sel for m, sel in
                      zip(("fsi", "dprime", "ranksum", "pairwise_t"),
                          ([1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0], [1, 1, 1, 1]),
                          strict=True)}).astype(bool)
    assert equal_n(v, minimum=0) == (1, 1)   # the fewest any metric selects
    assert equal_n(v, minimum=3) == (3, 1)   # but at least `minimum`
    values = pd.Series([0.2, np.nan, 0.9, 0.2, 0.5])
    assert top_ranked(values, 3).tolist() == [2, 4, 0]  # ties in order, NaN last
    assert top_ranked(values, 5).tolist() == [2, 4, 0, 3, 1]


def _sparse_units(rng, n_units=1000, per_domain=48, zeros=(0.84, 0.97), n_face=0, shift=0.0):
    """Post-ReLU-like units: image strength varies (log-normal gain), units share image-driven
    variance (rank 5), and each unit's threshold leaves a fraction of zero responses drawn
    uniformly from ``zeros`` (84-97 %: the review's sparse units). The first ``n_face`` units
    get ``shift`` (in pre-activation SDs, about) added on face images before the threshold;
    with n_face = 0 the labels carry no face information. fLoc's scrambled images are present
    (the metrics leave them out)."""
    dom = np.repeat(["faces", "bodies", "places", "characters", "objects", "scrambled"],
                    per_domain)
    n_img = len(dom)
    strength = rng.lognormal(0, 0.5, n_img)[:, None]
    shared = rng.normal(size=(n_img, 5)) @ rng.normal(size=(5, n_units)) / np.sqrt(5)
    pre = strength * (0.6 * shared + 0.8 * rng.normal(size=(n_img, n_units)))
    pre[np.ix_(dom == "faces", np.arange(n_face))] += shift
    level = rng.uniform(*zeros, n_units)
    cut = np.sort(pre, axis=0)[(level * (n_img - 1)).astype(int), np.arange(n_units)]
    return dom, np.maximum(pre - cut, 0)


def _observed(x, dom):
    v = all_metrics(x, dom)
    return np.array([100 * v[f"{m}_selective"].mean() for m in METRICS])


def test_null_fractions_equal_all_metrics_on_each_permuted_labeling():
    """Reference: the fast evaluation (per-domain sums, ranks once, p only where a test can
    pass, vectorised BH) gives on every labeling exactly what all_metrics gives: on the
    observed labels (planted face units, silent units, units silent on faces), on full label
    permutations and on partial ones (a third of the labels shuffled, so the pairwise FDR
    rejects an intermediate number of units). Permutations keep scrambled images out and
    every domain's number of images."""
    rng = np.random.default_rng(7)
    dom, x = _sparse_units(rng, n_units=600, zeros=(0.3, 0.95), n_face=150, shift=1.5)
    x[:, 150:160] = 0
    x[dom == "faces", 160:170] = 0
    perms = label_permutations(dom, 4, rng)
    partial = np.tile(dom, (3, 1))
    for row in partial:
        idx = rng.choice(np.flatnonzero(dom != "scrambled"), 80, replace=False)
        row[idx] = rng.permutation(row[idx])
    labelings = np.vstack([dom, perms, partial])
    got = selective_fractions(x, labelings)
    for labels, row in zip(labelings, got, strict=True):
        v = all_metrics(x, labels)
        np.testing.assert_array_equal(row, [v[f"{m}_selective"].mean() for m in METRICS])
    assert (perms[:, dom == "scrambled"] == "scrambled").all()
    for row in perms:
        assert sorted(row) == sorted(dom)
    assert 0.02 < got[-3:, 3].min() and got[-3:, 3].max() < got[0, 3]  # FDR in between
    np.testing.assert_array_equal(null_fractions(x, dom, 4, np.random.default_rng(1)),
                                  selective_fractions(x, label_permutations(
                                      dom, 4, np.random.default_rng(1))))
    with pytest.raises(ValueError, match="same images"):
        selective_fractions(x, np.vstack([dom, np.roll(dom, 1)]))
    with pytest.raises(ValueError, match="non-negative"):
        selective_fractions(x - 0.5, dom[None])


def test_bh_reject_matches_statsmodels_per_row_with_untestable_units():
    from statsmodels.stats.multitest import multipletests
    rng = np.random.default_rng(8)
    p = rng.uniform(size=(30, 400)) ** rng.uniform(1, 6, size=(30, 1))  # from null to strong
    p[rng.uniform(size=p.shape) < 0.1] = np.nan                          # t undefined
    got = bh_reject(p, 0.05)
    for row, rej in zip(p, got, strict=True):
        ok = ~np.isnan(row)
        ref = np.zeros(row.shape, dtype=bool)
        ref[ok] = multipletests(row[ok], 0.05, "fdr_bh")[0]
        np.testing.assert_array_equal(rej, ref)
    assert 0 < got.mean() < 0.9
    assert not bh_reject(np.full((2, 5), 0.5), 0.05).any()


def test_floor_summary_closed_form_and_zero_percent():
    f = floor_summary(3.0, np.array([0.0, 1.0, 2.0, 3.0, 4.0]))
    assert f["pct_null"] == 2.0 and f["pct_excess"] == 1.0
    assert f["pct_null_q95"] == pytest.approx(np.quantile([0, 1, 2, 3, 4], 0.95))
    assert f["p_null"] == pytest.approx((1 + 2) / 6)  # null >= observed: 3 and 4
    x = np.array([[0.0, 1.0], [0.0, 0.0], [5.0, 5.0]])
    assert zero_percent(x, np.array(["faces", "objects", "scrambled"])) == 75.0


def test_planted_face_units_stand_above_the_floor():
    """Planted: 300 of 2000 units (15 %) prefer faces, at about half zeros (the demo
    networks' units have 50 % zeros): every metric finds them far above its floor
    (measured: 14.7-15.0 % selective against floors of 0-0.7 %, 95th percentiles <= 2.2 %)."""
    rng = np.random.default_rng(11)
    dom, x = _sparse_units(rng, 2000, zeros=(0.4, 0.6), n_face=300, shift=1.5)
    observed = _observed(x, dom)
    null = 100 * null_fractions(x, dom, 40, rng)
    for i, metric in enumerate(METRICS):
        f = floor_summary(observed[i], null[:, i])
        assert f["pct_excess"] > 7 and observed[i] > f["pct_null_q95"] + 5, metric
        assert f["p_null"] == pytest.approx(1 / 41), metric


def test_sparse_null_percentages_lie_within_their_floor():
    """Realistic null at the review's sparsity (84-97 % zeros, correlated units, varying image
    strength, no face information): in each of 16 worlds every metric's observed % is one
    draw from its permutation distribution, so it exceeds the floor's 95th percentile (or falls
    below its 5th) in about 5 % of worlds; a floor that ignored the units' correlations would
    be far too narrow. FSI's floor is high (measured, 91 % zeros: 16.5 % mean, 13.5-18.3 % per
    world, 95th percentiles up to 39.7 %; observed 17.3 % mean, up to 42 %; 2 worlds above the
    95th percentile, 1 below the 5th), the other metrics' floors are at most 0.4 %. A floor
    from shuffling each unit separately (correlations lost) fails this: 6 worlds above its 95th
    percentile and 8 below its 5th."""
    above, below, observed, floor = np.zeros(4), np.zeros(4), [], []
    for seed in range(16):
        rng = np.random.default_rng(100 + seed)
        dom, x = _sparse_units(rng, 1000)
        obs = _observed(x, dom)
        null = 100 * null_fractions(x, dom, 40, rng)
        above += obs > np.quantile(null, 0.95, axis=0)
        below += obs < np.quantile(null, 0.05, axis=0)
        observed.append(obs)
        floor.append(null.mean(0))
    observed, floor = np.mean(observed, 0), np.mean(floor, 0)
    assert (above <= 3).all() and (below <= 3).all(), (above, below)
    assert floor[0] > 10 and abs(observed[0] - floor[0]) < 5
    assert (floor[1:] < 1).all() and (observed[1:] < 1).all()


def test_fsi_floor_grows_with_sparsity_and_with_fewer_images():
    """FSI's floor is a property of the layer, not a fixed rate (measured on 2000 units:
    1.1 % at 40-60 % zeros, 16.6 % at 84-97 %, 23.4 % at 95-99 %, 25.3 % at 84-97 % with 24
    images per domain); d', rank-sum and pairwise t stay <= 0.4 %. At 84-97 % zeros FSI
    cannot tell 15 % planted face units from none (18.7 % selective against a floor of 15.6 %,
    95th percentile 26.7 %), while rank-sum can (13.1 % against 0.2 %)."""
    floors = {}
    for key, zeros, per_domain in (("dense", (0.4, 0.6), 48), ("sparse", (0.84, 0.97), 48),
                                   ("sparser", (0.95, 0.99), 48), ("few", (0.84, 0.97), 24)):
        dom, x = _sparse_units(np.random.default_rng(3), 2000, per_domain, zeros)
        floors[key] = 100 * null_fractions(x, dom, 30, np.random.default_rng(1)).mean(0)
        assert (floors[key][1:] <= 0.5).all(), key
    assert floors["dense"][0] < 3 < 10 < floors["sparse"][0] < floors["sparser"][0]
    assert floors["few"][0] > floors["sparse"][0]
    dom, x = _sparse_units(np.random.default_rng(11), 2000, n_face=300, shift=1.5)
    observed = _observed(x, dom)
    null = 100 * null_fractions(x, dom, 40, np.random.default_rng(1))
    assert observed[0] < np.quantile(null[:, 0], 0.95)       # FSI: within its floor
    assert observed[2] > np.quantile(null[:, 2], 0.95) + 5   # rank-sum: far above

