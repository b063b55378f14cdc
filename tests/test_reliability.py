"""Reliability estimators: closed forms and agreement on simulated profiles of known truth."""

import numpy as np
import pytest

from analysis.methods.reliability import (
    ncsnr_reliability,
    single_rep_correlation,
    spearman_brown,
    split_half_sb,
)


def test_spearman_brown_closed_form():
    assert spearman_brown(0.5, 2) == pytest.approx(2 / 3)
    assert spearman_brown(0.5, 3) == pytest.approx(0.75)
    assert spearman_brown(1.0, 5) == pytest.approx(1.0)


def test_spearman_brown_leaves_a_negative_correlation_unchanged():
    """The formula would map r = -0.6 with k = 3 to 9 (and any r < -1/(k-1) above 1): a
    negative single-repetition correlation is returned as it is, so a profile without signal
    keeps a negative reliability (the comparison counts it as 0 in a norm)."""
    assert 3 * -0.6 / (1 + 2 * -0.6) == pytest.approx(9.0)
    assert spearman_brown(-0.6, 3) == -0.6
    np.testing.assert_allclose(spearman_brown(np.array([-0.2, 0.0, 0.5]), 2), [-0.2, 0.0, 2 / 3])
    reps = np.random.default_rng(0).normal(size=(50, 1)) * np.array([1.0, -1.0, 1.0])
    assert split_half_sb(reps) == pytest.approx(-1 / 3)  # r: -1, 1, -1


def test_single_rep_correlation_skips_missing_repetitions():
    reps = np.array([[1.0, 1.0, np.nan], [2.0, 2.0, 1.0], [3.0, 3.0, 2.0], [4.0, 4.0, 3.0]])
    # pairs: (0,1) r=1 over 4 items; (0,2) and (1,2) r=1 over 3 items
    assert single_rep_correlation(reps) == pytest.approx(1.0)


@pytest.mark.parametrize("noise_sd", [0.5, 1.0, 2.0])
def test_estimators_agree_with_the_truth(noise_sd):
    rng = np.random.default_rng(0)
    n_img, n_rep = 4000, 3
    truth = 1 / (1 + noise_sd**2 / n_rep)  # var(signal) / var(mean of n reps)
    sb, nc = [], []
    for _ in range(20):
        signal = rng.normal(size=(n_img, 1))
        reps = signal + noise_sd * rng.normal(size=(n_img, n_rep))
        sb.append(split_half_sb(reps))
        nc.append(ncsnr_reliability(reps))
    assert np.mean(sb) == pytest.approx(truth, abs=0.01)
    assert np.mean(nc) == pytest.approx(truth, abs=0.01)


@pytest.mark.parametrize("noise", [0.7, 1.5])
def test_rdm_reliability_matches_the_truth_where_spearman_brown_does_not(noise):
    from analysis.methods.profiles import rdm
    from analysis.methods.reliability import rdm_reliability

    rng = np.random.default_rng(1)
    est, sb, true = [], [], []
    for _ in range(10):
        truth = rng.normal(size=(80, 60)) + rng.normal(size=(80, 1))  # (images, voxels)
        reps = truth[:, :, None] + noise * rng.normal(size=(80, 60, 3))
        true.append(np.corrcoef(rdm(reps.mean(2)), rdm(truth))[0, 1] ** 2)
        est.append(rdm_reliability(reps, rdm))
        singles = [rdm(reps[:, :, k]) for k in range(3)]
        r1 = np.mean([np.corrcoef(singles[a], singles[b])[0, 1] for a, b in
                      [(0, 1), (0, 2), (1, 2)]])
        sb.append(spearman_brown(r1, 3))
    assert np.mean(est) == pytest.approx(np.mean(true), abs=0.03)
    # why Spearman-Brown is not used for RDMs: it underestimates, the more so the noisier
    assert np.mean(sb) < np.mean(true) - (0.02 if noise < 1 else 0.05)


KAR = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared/offline/kar_it_site"


@pytest.mark.skipif(not KAR.is_dir(), reason="offline macaque IT site not present")
def test_estimators_agree_on_real_repeated_recordings():
    """One real macaque IT site, 640 images x 63 repetitions: split-half reliability from
    random halves, the all-pairs Spearman-Brown estimate and the NSD noise ceiling agree."""
    import h5py

    with h5py.File(KAR / "sample_neuron.h5", "r") as f:
        rates = f["rates"][()]
    rng = np.random.default_rng(0)
    halves = []
    for _ in range(100):
        p = rng.permutation(rates.shape[1])
        a, b = rates[:, p[:31]].mean(1), rates[:, p[31:]].mean(1)
        halves.append(spearman_brown(np.corrcoef(a, b)[0, 1], 2))
    assert split_half_sb(rates) == pytest.approx(np.mean(halves), abs=0.01)
    assert ncsnr_reliability(rates) == pytest.approx(np.mean(halves), abs=0.01)
    assert 0.8 < np.mean(halves) < 0.9  # SOURCE.md: one split gives SB 0.847


def test_rdm_reliability_with_missing_repetitions_matches_complete_data():
    """shared_any: some images were seen once or twice. The reliability then uses the image
    pairs each repetition has; it stays finite and close to the complete-data value (a slightly
    lower truth, since fewer repetitions enter the mean), and is exact on complete data."""
    import warnings

    from analysis.methods.profiles import rdm
    from analysis.methods.reliability import rdm_reliability

    rng = np.random.default_rng(3)
    full, part = [], []
    for _ in range(10):
        truth = rng.normal(size=(80, 60)) + rng.normal(size=(80, 1))
        reps = truth[:, :, None] + 1.0 * rng.normal(size=(80, 60, 3))
        holes = reps.copy()
        seen = rng.integers(1, 4, size=80)  # 1, 2 or 3 repetitions per image
        seen[rng.random(80) < 0.7] = 3      # most images complete, as in NSD
        for i, k in enumerate(seen):
            holes[i, :, k:] = np.nan
        full.append(rdm_reliability(reps, rdm))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no 'Mean of empty slice'
            part.append(rdm_reliability(holes, rdm))
    assert np.isfinite(part).all()
    assert np.mean(part) == pytest.approx(np.mean(full), abs=0.05)
    assert np.mean(part) < np.mean(full)


def test_pearson_complete_against_scipy_on_the_shared_items():
    import scipy.stats

    from analysis.methods.missing import pearson_complete

    rng = np.random.default_rng(4)
    a, b = rng.normal(size=50), rng.normal(size=50)
    a[[3, 9]], b[[9, 20]] = np.nan, np.nan
    ok = ~(np.isnan(a) | np.isnan(b))
    assert pearson_complete(a, b) == pytest.approx(scipy.stats.pearsonr(a[ok], b[ok])[0])
    assert np.isnan(pearson_complete(np.array([1.0, np.nan, 2.0]), np.array([1.0, 2.0, 3.0])))
