"""The multi-target kernel ridge solver (analysis.methods.ridge) and the kernel accumulation
(analysis.methods.kernels): against scikit-learn's RidgeCV and closed forms, on a planted linear
map, on the GPU where there is one, and on bad input."""

import h5py
import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge, RidgeCV

from analysis.errors import InputError
from analysis.methods import kernels, ridge

ALPHAS = np.logspace(-1, 4, 12)


def _data(seed=0, n=120, n_test=40, p=300, v=60):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n + n_test, p)) * rng.uniform(0.2, 2.0, p)  # unequal feature scales
    w = rng.normal(size=(p, v)) / np.sqrt(p)
    y = 3 + x @ w + rng.normal(size=(n + n_test, v)) * rng.uniform(0.2, 6.0, v)
    return x, y, n


def test_same_alphas_and_predictions_as_sklearn_ridgecv_alpha_per_target():
    x, y, n = _data()
    ref = RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(x[:n], y[:n])
    k = x @ x[:n].T
    model = ridge.fit(k[:n], y[:n], ALPHAS)
    assert np.mean(model.alpha == ref.alpha_) >= 0.98  # float32 products: ties may flip
    same = model.alpha == ref.alpha_
    pred = ridge.predict(model, k[n:])
    np.testing.assert_allclose(pred[:, same], ref.predict(x[n:])[:, same], rtol=1e-4,
                               atol=1e-4 * np.abs(y).max())


@pytest.mark.parametrize("seed, p", [(10, 300), (11, 60), (12, 1000)])
def test_local_search_finds_the_exhaustive_alphas(seed, p):
    x, y, n = _data(seed, p=p, v=400)
    k = x[:n] @ x[:n].T
    local, full = ridge.fit(k, y[:n], ALPHAS), ridge.fit(k, y[:n], ALPHAS, exhaustive=True)
    assert np.mean(local.alpha == full.alpha) >= 0.995
    same = local.alpha == full.alpha
    np.testing.assert_allclose(local.loo_mse[same], full.loo_mse[same], rtol=1e-5)
    np.testing.assert_allclose(local.dual[:, same], full.dual[:, same], rtol=1e-4,
                               atol=1e-6 * np.abs(full.dual).max())  # float32 products


def test_one_alpha_equals_the_closed_form_primal_solution():
    x, y, n = _data(1, p=50)
    model = ridge.fit(x[:n] @ x[:n].T, y[:n], np.array([7.0]))
    xm, ym = x[:n].mean(0), y[:n].mean(0)
    w = np.linalg.solve((x[:n] - xm).T @ (x[:n] - xm) + 7.0 * np.eye(x.shape[1]),
                        (x[:n] - xm).T @ (y[:n] - ym))
    np.testing.assert_allclose(ridge.predict(model, x[n:] @ x[:n].T), (x[n:] - xm) @ w + ym,
                               rtol=1e-4, atol=1e-4)
    sk = Ridge(alpha=7.0).fit(x[:n], y[:n])
    np.testing.assert_allclose(ridge.predict(model, x[n:] @ x[:n].T), sk.predict(x[n:]),
                               rtol=1e-4, atol=1e-4)


def test_loo_error_equals_refitting_without_each_image():
    x, y, n = _data(2, n=25, p=40, v=3)
    model = ridge.fit(x[:n] @ x[:n].T, y[:n], np.array([3.0]))
    errs = []
    for i in range(n):
        keep = np.arange(n) != i
        sk = Ridge(alpha=3.0).fit(x[:n][keep], y[:n][keep])
        errs.append((sk.predict(x[i:i + 1]) - y[i]) ** 2)
    np.testing.assert_allclose(model.loo_mse, np.mean(errs, axis=0)[0], rtol=1e-4)


def test_planted_linear_map_reaches_the_accuracy_the_simulation_implies():
    """y = x w + noise with signal variance 1 and noise variance 1/snr: with many more images
    than features the held-out r approaches sqrt(snr / (1 + snr))."""
    rng = np.random.default_rng(3)
    n, n_test, p = 3000, 2000, 20
    snr = np.array([0.25, 1.0, 4.0])
    x = rng.normal(size=(n + n_test, p))
    w = rng.normal(size=(p, 3))
    w /= np.linalg.norm(w, axis=0)
    y = x @ w + rng.normal(size=(n + n_test, 3)) / np.sqrt(snr)
    k = x @ x[:n].T
    pred = ridge.predict(ridge.fit(k[:n], y[:n], ALPHAS), k[n:])
    r = [np.corrcoef(pred[:, j], y[n:, j])[0, 1] for j in range(3)]
    np.testing.assert_allclose(r, np.sqrt(snr / (1 + snr)), atol=0.03)


def test_null_targets_get_no_held_out_accuracy():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(300, 100))
    y = rng.normal(size=(300, 200))  # unrelated to x
    k = x @ x[:200].T
    pred = ridge.predict(ridge.fit(k[:200], y[:200], ALPHAS), k[200:])
    r = np.array([np.corrcoef(pred[:, j], y[200:, j])[0, 1] if pred[:, j].std() > 1e-9
                  else 0.0 for j in range(200)])
    assert abs(r.mean()) < 0.03


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU on this machine")
def test_gpu_and_cpu_agree():
    x, y, n = _data(5)
    k = x @ x[:n].T
    cpu, gpu = ridge.fit(k[:n], y[:n], ALPHAS, "cpu"), ridge.fit(k[:n], y[:n], ALPHAS, "cuda")
    assert np.mean(cpu.alpha == gpu.alpha) >= 0.98
    np.testing.assert_allclose(ridge.predict(gpu, k[n:]), ridge.predict(cpu, k[n:]),
                               rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("k, y, alphas, match", [
    (np.eye(3)[:2], np.zeros((2, 1)), ALPHAS, "square"),
    (np.eye(3), np.zeros((2, 1)), ALPHAS, "targets must be"),
    (np.eye(3), np.full((3, 1), np.nan), ALPHAS, "NaN"),
    (np.eye(3), np.zeros((3, 1)), np.array([0.0, 1.0]), "positive"),
    (np.eye(3), np.zeros((3, 1)), np.array([2.0, 1.0]), "increasing"),
])
def test_bad_input_is_named(k, y, alphas, match):
    with pytest.raises(InputError, match=match):
        ridge.fit(k, y, alphas)


def test_kernels_from_a_float16_store_in_chunks_equal_the_direct_products(tmp_path):
    rng = np.random.default_rng(6)
    a = rng.normal(size=(30, 50)).astype(np.float16)
    b = rng.normal(size=(20, 50)).astype(np.float16)
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f["u"] = a
        f["v"] = b
    sel = rng.random(50) < 0.3
    rows_a, rows_b = np.array([1, 4, 9, 20]), np.arange(20)
    with h5py.File(tmp_path / "a.h5", "r") as f:
        out = kernels.linear_kernel([(f["u"], rows_a), (f["v"], rows_b)],
                                    {"all": None, "sel": sel}, chunk=7)
    x = np.concatenate([a[rows_a], b[rows_b]]).astype(np.float64)
    np.testing.assert_allclose(out["all"], x @ x.T, rtol=1e-5, atol=1e-4)  # float32 products
    np.testing.assert_allclose(out["sel"], x[:, sel] @ x[:, sel].T, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="increasing"):
        kernels.linear_kernel([(a, np.array([3, 1]))], {"all": None})
    with pytest.raises(ValueError, match="bool mask"):
        kernels.linear_kernel([(a, rows_a)], {"bad": np.ones(49, bool)})


def test_kernels_of_several_groups_read_each_store_once_and_match_one_group_calls():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(40, 30)).astype(np.float16)
    b = rng.normal(size=(10, 30)).astype(np.float16)
    groups = {1: [np.array([0, 5, 7]), np.arange(10)], 2: [np.array([5, 39]), np.array([3])]}
    sel = rng.random(30) < 0.5
    out = kernels.linear_kernels([a, b], groups, {"all": None, "sel": sel}, chunk=8)
    for g, (ra, rb) in groups.items():
        one = kernels.linear_kernel([(a, ra), (b, rb)], {"all": None, "sel": sel})
        for name in ("all", "sel"):
            np.testing.assert_allclose(out[g][name], one[name], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="outside"):
        kernels.linear_kernels([a, b], {1: [np.array([40]), np.array([0])]}, {"all": None})


def _kernels_with_a_spectrum(kind: str, seed: int = 20, n: int = 300, p: int = 400, v: int = 80):
    """Features of three spectra: i.i.d., rectified low-rank, one dominant component (the
    largest eigenvalue hundreds of times the mean variance, as network layers often have)."""
    rng = np.random.default_rng(seed)
    if kind == "iid":
        x = rng.normal(size=(n + 60, p))
    elif kind == "low_rank":
        x = np.maximum(rng.normal(size=(n + 60, 20)) @ rng.normal(size=(20, p)), 0)
    else:
        x = rng.normal(size=(n + 60, p)) + 30 * rng.normal(size=(n + 60, 1))
    y = x @ rng.normal(size=(p, v)) / np.sqrt(p) \
        + rng.normal(size=(n + 60, v)) * rng.uniform(0.2, 30, v) * x.std()
    k = x @ x[:n].T
    kc, _, _ = ridge.centre_train(k[:n])
    return k, y, n, float(np.linalg.eigvalsh(kc)[-1])


@pytest.mark.parametrize("kind", ["iid", "low_rank", "dominant"])
def test_float32_eigendecomposition_agrees_with_float64_where_auto_chooses_it(kind):
    k, y, n, s_max = _kernels_with_a_spectrum(kind)
    alphas = 1.01 * ridge.FLOAT32_MIN_RIDGE_SHARE * s_max * np.logspace(0, 6, 13)
    kc = torch.as_tensor(ridge.centre_train(k[:n])[0])
    assert ridge.eigen_precision(kc, alphas, "auto") == torch.float32
    m32 = ridge.fit(k[:n], y[:n], alphas, precision="float32")
    m64 = ridge.fit(k[:n], y[:n], alphas, precision="float64")
    same = m32.alpha == m64.alpha
    assert same.mean() >= 0.97  # near-ties of the LOO curve may flip
    p32, p64 = ridge.predict(m32, k[n:]), ridge.predict(m64, k[n:])
    assert (np.abs(p32 - p64).max(0) / p64.std(0))[same].max() < 1e-3


def test_auto_precision_keeps_float64_for_a_dominant_component_and_a_small_ridge():
    k, y, n, s_max = _kernels_with_a_spectrum("dominant")
    kc = torch.as_tensor(ridge.centre_train(k[:n])[0])
    assert s_max > 100 * float(torch.diagonal(kc).mean())
    alphas = 1e-3 * s_max * np.logspace(0, 6, 13)
    assert ridge.eigen_precision(kc, alphas, "auto") == torch.float64
    assert ridge.fit(k[:n], y[:n], alphas).alpha.tolist() == \
        ridge.fit(k[:n], y[:n], alphas, precision="float64").alpha.tolist()
    with pytest.raises(InputError, match="precision"):
        ridge.eigen_precision(kc, alphas, "half")


@pytest.mark.parametrize("kind", ["iid", "low_rank", "dominant"])
def test_power_iteration_finds_the_largest_eigenvalue(kind):
    k, _, n, s_max = _kernels_with_a_spectrum(kind)
    kc = torch.as_tensor(ridge.centre_train(k[:n])[0])
    top = ridge.top_eigenvalue(kc)
    assert 0.9 * s_max <= top <= s_max * (1 + 1e-9)


def test_a_kernel_on_the_device_gives_the_numpy_result():
    x, y, n = _data(7)
    k = x @ x[:n].T
    a, b = ridge.fit(k[:n], y[:n], ALPHAS), ridge.fit(torch.as_tensor(k[:n]), y[:n], ALPHAS)
    np.testing.assert_array_equal(a.alpha, b.alpha)
    np.testing.assert_allclose(ridge.predict(b, torch.as_tensor(k[n:])),
                               ridge.predict(a, k[n:]), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("as_tensor", [False, True])
def test_a_nan_in_the_test_kernel_raises(as_tensor):
    x, y, n = _data(8, v=3)
    k = x @ x[:n].T
    model = ridge.fit(k[:n], y[:n], ALPHAS)
    bad = k[n:].copy()
    bad[3, 5] = np.nan
    with pytest.raises(InputError, match="test kernel contains NaN"):
        ridge.predict(model, torch.as_tensor(bad) if as_tensor else bad)
    bad_train = torch.as_tensor(k[:n].copy())
    bad_train[0, 0] = float("inf")
    with pytest.raises(InputError, match="NaN/inf"):
        ridge.fit(bad_train, y[:n], ALPHAS)
