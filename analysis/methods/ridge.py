"""Multi-target kernel ridge regression with one regularisation per target, chosen by exact
leave-one-out (LOO) error from one eigendecomposition of the training kernel.

The model is sklearn's ``RidgeCV(alphas, alpha_per_target=True, fit_intercept=True)`` written in
the image space (dual form): with the training kernel centred on the training images,
``Kc = Q diag(s) Qᵀ``, the dual coefficients for ridge ``a`` are ``c = Q diag(w) Qᵀ y`` with
``w = 1 / (s + a)`` (0 on the constant eigenvector: the intercept is not penalised) and the LOO
residual of image i is ``c_i / G⁻¹_ii`` with ``G⁻¹_ii = Σ_k w_k Q_ik²`` (Golub, Heath & Wahba 1979;
sklearn's ``_RidgeGCV``). Every target gets the alpha with the smallest LOO squared error
(the first on ties, as sklearn).

Differences from sklearn that make it faster (benchmarks/ridge.py measures them): the kernel
arrives precomputed (one kernel serves every feature subset: all units, lesioned, selective
only); the LOO error is not evaluated at every alpha but searched locally from each target's
GCV optimum (exact GCV is nearly free in the eigenbasis; the LOO error is then computed at the
GCV choice and its neighbours, stepping on while the minimum sits at the window's edge — about 3
(n, n) x (n, targets) products instead of one per alpha, and the same alpha as the exhaustive
search unless the LOO curve has two local minima on the grid; ``exhaustive=True`` does the full
search); the eigendecomposition is float32 where the smallest ridge keeps that exact enough
(:func:`eigen_precision`) and float64 otherwise, the products are float32; targets are processed
in chunks (bounded memory); predictions come from the dual coefficients (no (features x
targets) weight matrix); everything runs in torch, on a GPU when there is one, from the kernel
to the chosen alphas without a round trip to the host.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from analysis.errors import InputError

#: Targets per chunk: (n_train x chunk) float32 blocks stay ~100 MB at n = 10 000.
TARGET_CHUNK = 2048
#: The exhaustive search batches every alpha when (alphas x n x chunk) stays below this
#: (64 M float32 = 256 MB).
BATCHED_ELEMENTS = 1 << 26


@dataclass(frozen=True)
class KernelRidgeFit:
    """A fitted multi-target kernel ridge model.

    dual: (n_train, n_targets) float64 dual coefficients; alpha: (n_targets,) chosen ridge;
    loo_mse: (n_targets,) its LOO mean squared error; y_mean: (n_targets,) training means;
    k_mean: (n_train,) row means of the uncentred training kernel and k_grand their mean (to
    centre test kernels on the training images)."""

    dual: np.ndarray
    alpha: np.ndarray
    loo_mse: np.ndarray
    y_mean: np.ndarray
    k_mean: np.ndarray
    k_grand: float


def centre_train(k: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Centre an (n, n) training kernel on its images: (Kc, row means, grand mean)."""
    m = k.mean(axis=1)
    g = float(m.mean())
    return k - m[:, None] - m[None, :] + g, m, g


def centre_test(k_test: np.ndarray, k_mean: np.ndarray, k_grand: float) -> np.ndarray:
    """Centre an (n_test, n_train) kernel on the training images' feature mean."""
    return k_test - k_test.mean(axis=1, keepdims=True) - k_mean[None, :] + k_grand


def kernel_scale(k_train: np.ndarray) -> float:
    """The mean variance of the centred training kernel (its mean diagonal): ridge values are
    given relative to it, so feature sets of 100 or 100 000 units get the same effective
    grid."""
    kc, _, _ = centre_train(k_train)
    scale = float(np.mean(np.diag(kc)))
    return scale if scale > 0 else 1.0


def _finite(a: np.ndarray | torch.Tensor) -> bool:
    return bool(torch.isfinite(a).all()) if isinstance(a, torch.Tensor) else \
        bool(np.all(np.isfinite(a)))


def _check(k: np.ndarray | torch.Tensor, y: np.ndarray, alphas: np.ndarray) -> None:
    if k.ndim != 2 or k.shape[0] != k.shape[1]:
        raise InputError(f"ridge: the training kernel must be square, got shape {tuple(k.shape)}")
    if y.ndim != 2 or y.shape[0] != k.shape[0]:
        raise InputError(f"ridge: targets must be (n_train={k.shape[0]}, n_targets), got "
                         f"shape {y.shape}")
    if not (_finite(k) and _finite(y)):
        raise InputError("ridge: kernel or targets contain NaN/inf (drop images with missing "
                         "responses first)")
    if len(alphas) == 0 or np.any(np.asarray(alphas) <= 0):
        raise InputError(f"ridge: alphas must be positive, got {list(alphas)}")
    if np.any(np.diff(alphas) <= 0):
        raise InputError(f"ridge: alphas must be increasing, got {list(alphas)}")


#: Below this many training images the exhaustive LOO search is cheaper than the local one
#: (all alphas in one batched product; the local search's steps cost more in overhead).
EXHAUSTIVE_BELOW = 1000
#: precision="auto" eigendecomposes in float32 when the smallest ridge is at least this share of
#: the centred kernel's largest eigenvalue, and in float64 otherwise. Measured (n = 600, 300
#: targets, 13 alphas; float32 vs float64 eigendecomposition, float32 products in both): at a
#: share of 1e-2 the predictions agree within 2e-5 SD on i.i.d. and rectified low-rank features
#: and within 5e-4 SD on features with one dominant component (largest eigenvalue 580x the
#: mean variance); at 1e-3 the latter differ by 3e-3 SD, so float64 is kept there. Real
#: network kernels with the default relative alphas (from 1e-3 of the mean variance) fall
#: below the threshold: float32 serves wide ridge grids only. tests/test_ridge.py checks both
#: sides.
FLOAT32_MIN_RIDGE_SHARE = 1e-2
#: Power-iteration steps for the largest eigenvalue that precision="auto" compares with.
POWER_STEPS = 30


def top_eigenvalue(kc: torch.Tensor, steps: int = POWER_STEPS) -> float:
    """Largest eigenvalue of a symmetric positive semi-definite (n, n) matrix by power
    iteration from a fixed start (deterministic); a lower bound that converges from below,
    within a few per cent after 30 steps unless the top two eigenvalues nearly tie (where the
    estimate is still the size of both)."""
    n = kc.shape[0]
    v = torch.cos(torch.arange(n, dtype=kc.dtype, device=kc.device) * 0.7) + 1.5
    v = v / torch.linalg.vector_norm(v)
    for _ in range(steps):
        u = kc @ v
        norm = torch.linalg.vector_norm(u)
        if norm == 0:
            return 0.0
        v = u / norm
    return float(v @ (kc @ v))


def eigen_precision(kc: torch.Tensor, alphas: np.ndarray, precision: str) -> torch.dtype:
    """The dtype of the eigendecomposition: ``precision`` "float32" / "float64", or "auto"
    (float32 when alphas[0] >= FLOAT32_MIN_RIDGE_SHARE x the largest eigenvalue)."""
    if precision not in ("auto", "float32", "float64"):
        raise InputError(f"ridge: precision must be 'auto', 'float32' or 'float64', got "
                         f"{precision!r}")
    if precision == "auto":
        wide = alphas[0] >= FLOAT32_MIN_RIDGE_SHARE * top_eigenvalue(kc)
        return torch.float32 if wide else torch.float64
    return torch.float32 if precision == "float32" else torch.float64


def _eigh(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, on its device: LAPACK
    through numpy on the CPU (torch's CPU eigh took 2-4x longer here), cuSOLVER on a GPU."""
    if a.device.type == "cpu":
        s, q = np.linalg.eigh(a.numpy())
        return torch.from_numpy(s), torch.from_numpy(q)
    return torch.linalg.eigh(a)


def fit(k_train: np.ndarray | torch.Tensor, y: np.ndarray, alphas: np.ndarray,
        device: torch.device | str = "cpu", exhaustive: bool | None = None,
        precision: str = "auto") -> KernelRidgeFit:
    """Fit kernel ridge with a LOO-chosen alpha per target.

    k_train: (n, n) uncentred linear kernel X Xᵀ of the training images (numpy, or a torch
    tensor already on ``device``: it is not copied back to the host); y: (n, n_targets)
    targets; alphas: (n_alphas,) candidate ridges (in kernel units), in increasing order.
    ``exhaustive``: evaluate the LOO error at every alpha (one (n, n) x (n, targets) product
    each); False: search locally from the GCV optimum (:func:`_local`), which finds the same
    alpha wherever the LOO error has no second local minimum on the grid and costs about 3
    products instead of n_alphas; None (default): exhaustive below EXHAUSTIVE_BELOW training
    images, local above. ``precision`` of the eigendecomposition (:func:`eigen_precision`).
    Centring, eigendecomposition and search run on ``device``; the result comes back once."""
    y = np.asarray(y, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    _check(k_train, y, alphas)
    device = torch.device(device)
    n, v = y.shape
    exhaustive = n < EXHAUSTIVE_BELOW if exhaustive is None else exhaustive
    k = torch.as_tensor(k_train, device=device).to(torch.float64)
    k_mean = k.mean(dim=1)
    k_grand = k_mean.mean()
    kc = k - k_mean[:, None] - k_mean[None, :] + k_grand
    dtype = eigen_precision(kc, alphas, precision)
    # Kc + 11ᵀ has the constant vector as an eigenvector of its own (eigenvalue n), also when
    # Kc is rank-deficient (more images than features): the intercept's direction, whose
    # ridge is cancelled (sklearn's _RidgeGCV does the same)
    s, q = _eigh((kc + 1.0).to(dtype))
    s, q = s.double().clamp(min=0.0), q.double()
    intercept = int(torch.argmax(torch.abs(q.sum(dim=0))))
    a = torch.as_tensor(alphas, device=device)
    w = 1.0 / (s[None, :] + a[:, None])                # (n_alphas, n)
    w[:, intercept] = 0.0
    g_inv = (q ** 2) @ w.T                    # (n, n_alphas): diagonal of G⁻¹
    h = s[None, :] * w                                 # hat-matrix eigenvalues
    h[:, intercept] = 1.0
    gcv_w = (1.0 - h) ** 2 / ((1.0 - h.sum(dim=1, keepdim=True) / n) ** 2)
    t = {"q": q.float(), "w": w.float(), "g": g_inv.float(), "gcv": gcv_w.float()}
    y_mean = y.mean(axis=0)
    search = _exhaustive if exhaustive else _local
    best, loo, dual = [], [], []
    for start in range(0, v, TARGET_CHUNK):
        sl = slice(start, min(v, start + TARGET_CHUNK))
        yc = torch.as_tensor(y[:, sl] - y_mean[sl], dtype=torch.float32, device=device)
        idx, err, c = search(t, t["q"].T @ yc)         # z = Qᵀ y: (n, chunk)
        best.append(idx)
        loo.append(err)
        dual.append(c)
    best_np = torch.cat(best).cpu().numpy()
    return KernelRidgeFit(torch.cat(dual, dim=1).double().cpu().numpy(), alphas[best_np],
                          torch.cat(loo).double().cpu().numpy(), y_mean,
                          k_mean.cpu().numpy(), float(k_grand))


def _loo_at(t: dict[str, torch.Tensor], z: torch.Tensor, idx: torch.Tensor
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Dual coefficients (n, m) and LOO mean squared errors (m,) of targets ``z`` (n, m),
    each at its own alpha index ``idx`` (m,)."""
    c = t["q"] @ (t["w"][idx].T * z)
    return c, ((c / t["g"][:, idx]) ** 2).mean(0)


def _exhaustive(t: dict[str, torch.Tensor], z: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every alpha's LOO error; the first minimum per target (as sklearn)."""
    n_alphas, n = t["w"].shape
    m = z.shape[1]
    if n_alphas * n * m <= BATCHED_ELEMENTS:  # all alphas in one batched product
        c_all = torch.matmul(t["q"], t["w"][:, :, None] * z[None])      # (A, n, m)
        err = ((c_all / t["g"].T[:, :, None]) ** 2).mean(1)              # (A, m)
        idx = torch.argmin(err, dim=0)
        cols = torch.arange(m, device=z.device)
        return idx, err[idx, cols], c_all[idx, :, cols].T
    err = torch.stack([_loo_at(t, z, torch.full((m,), a, device=z.device))[1]
                       for a in range(n_alphas)])
    idx = torch.argmin(err, dim=0)
    c, e = _loo_at(t, z, idx)
    return idx, e, c


def _local(t: dict[str, torch.Tensor], z: torch.Tensor
           ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Local LOO search: start at each target's GCV optimum (exact GCV costs one small
    (n_alphas, n) x (n, m) product), evaluate the LOO error there and at both neighbours, and
    keep stepping towards lower error while the best alpha sits at the edge of the evaluated
    window. Ties keep the smaller alpha, as sklearn."""
    top = t["w"].shape[0] - 1
    start = torch.argmin(t["gcv"] @ z**2, dim=0)
    lo, hi = (start - 1).clamp(min=0), (start + 1).clamp(max=top)
    best_idx = lo.clone()
    best_c, best_e = _loo_at(t, z, lo)
    for idx in (start, hi):
        c, e = _loo_at(t, z, idx)
        better = e < best_e
        best_idx, best_e = torch.where(better, idx, best_idx), torch.where(better, e, best_e)
        best_c = torch.where(better[None, :], c, best_c)
    while True:
        down = (best_idx == lo) & (lo > 0)
        up = (best_idx == hi) & (hi < top)
        if not bool(down.any() or up.any()):
            return best_idx, best_e, best_c
        for move, step in ((down, -1), (up, 1)):
            cols = torch.nonzero(move).flatten()
            if len(cols) == 0:
                continue
            idx = (lo if step < 0 else hi)[cols] + step
            c, e = _loo_at(t, z[:, cols], idx)
            if step < 0:
                lo[cols] = idx
                better = e <= best_e[cols]  # ties keep the smaller alpha
            else:
                hi[cols] = idx
                better = e < best_e[cols]
            sel = cols[better]
            best_idx[sel], best_e[sel] = idx[better], e[better]
            best_c[:, sel] = c[:, better]


def predict(model: KernelRidgeFit, k_test: np.ndarray | torch.Tensor) -> np.ndarray:
    """(n_test, n_targets) predictions from the uncentred (n_test, n_train) test kernel
    (numpy, or a torch tensor on any device: the product runs there)."""
    if k_test.ndim != 2 or k_test.shape[1] != model.dual.shape[0]:
        raise InputError(f"ridge: the test kernel must be (n_test, n_train="
                         f"{model.dual.shape[0]}), got shape {tuple(k_test.shape)}")
    if not _finite(k_test):
        raise InputError("ridge: the test kernel contains NaN/inf (a test image with a missing "
                         "feature value; drop it or impute before building the kernel)")
    if isinstance(k_test, torch.Tensor):
        kt = k_test.to(torch.float64)
        as_t = {name: torch.as_tensor(a, device=kt.device)
                for name, a in (("dual", model.dual), ("k_mean", model.k_mean),
                                ("y_mean", model.y_mean))}
        kt = kt - kt.mean(dim=1, keepdim=True) - as_t["k_mean"][None, :] + model.k_grand
        return (kt @ as_t["dual"] + as_t["y_mean"]).cpu().numpy()
    k_test = np.asarray(k_test, dtype=np.float64)
    return centre_test(k_test, model.k_mean, model.k_grand) @ model.dual + model.y_mean
