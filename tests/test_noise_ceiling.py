"""ncsnr and noise ceiling against closed forms."""

import numpy as np
import pytest

from analysis.methods.noise_ceiling import ncsnr, noise_ceiling


def test_ncsnr_closed_form():
    # within-image SDs: image 0 reps (0, 1) -> var 0.5; image 1 reps (0, 0.5) -> var 0.125
    r = np.array([[[0.0, 1.0], [0.0, 0.5]]])
    v = np.sqrt((0.5 + 0.125) / 2)
    assert ncsnr(r)[0] == pytest.approx(np.sqrt(1 - v**2) / v)
    assert ncsnr(np.array([[[0.0, 2.0], [0.0, 2.0]]]))[0] == 0.0  # v >= 1 -> no signal


def test_ncsnr_recovers_known_snr_on_simulated_zscored_data():
    rng = np.random.default_rng(0)
    sigma = 0.7  # noise SD relative to a unit-SD signal: true ncsnr = 1 / 0.7
    signal = rng.normal(size=(200, 3000, 1))
    y = signal + sigma * rng.normal(size=(200, 3000, 3))
    y = (y - y.mean((1, 2), keepdims=True)) / y.std((1, 2), keepdims=True)
    assert np.median(ncsnr(y)) == pytest.approx(1 / sigma, rel=0.03)


def test_noise_ceiling_formula():
    assert noise_ceiling(np.array([1.0]), 3)[0] == pytest.approx(75.0)
    assert noise_ceiling(np.array([0.0]), 1)[0] == 0.0


def test_ncsnr_with_missing_repetitions_uses_the_observed_ones():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(5, 300, 1)) + 0.8 * rng.normal(size=(5, 300, 3))
    missing = y.copy()
    missing[:, :40, 2] = np.nan        # 40 images seen twice
    missing[:, 40:60, 1:] = np.nan     # 20 images seen once: no variance, left out
    # reference: the within-image variance of the observed repetitions, by hand
    var = np.concatenate([np.var(y[:, :40, :2], axis=2, ddof=1),
                          np.var(y[:, 60:], axis=2, ddof=1)], axis=1)
    v = np.sqrt(var.mean(1))
    assert ncsnr(missing) == pytest.approx(np.sqrt(np.maximum(1 - v**2, 0)) / v, rel=1e-12)
    assert np.array_equal(ncsnr(y), ncsnr(y.copy()))  # complete data: the plain path
