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
search); the eigendecomposition is float64 but the products are float32; targets are processed
in chunks (bounded memory); predictions come from the dual coefficients (no (features x
targets) weight matrix); everything runs in torch, on a GPU when there is one.
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


def _check(k: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> None:
    if k.ndim != 2 or k.shape[0] != k.shape[1]:
        raise InputError(f"ridge: the training kernel must be square, got shape {k.shape}")
    if y.ndim != 2 or y.shape[0] != k.shape[0]:
        raise InputError(f"ridge: targets must be (n_train={k.shape[0]}, n_targets), got "
                         f"shape {y.shape}")
    if not (np.all(np.isfinite(k)) and np.all(np.isfinite(y))):
        raise InputError("ridge: kernel or targets contain NaN/inf (drop images with missing "
                         "responses first)")
    if len(alphas) == 0 or np.any(np.asarray(alphas) <= 0):
        raise InputError(f"ridge: alphas must be positive, got {list(alphas)}")


#: Below this many training images the exhaustive LOO search is cheaper than the local one
#: (all alphas in one batched product; the local search's steps cost more in overhead).
EXHAUSTIVE_BELOW = 1000


def fit(k_train: np.ndarray, y: np.ndarray, alphas: np.ndarray,
        device: torch.device | str = "cpu", exhaustive: bool | None = None) -> KernelRidgeFit:
    """Fit kernel ridge with a LOO-chosen alpha per target.

    k_train: (n, n) uncentred linear kernel X Xᵀ of the training images (float64);
    y: (n, n_targets) targets; alphas: (n_alphas,) candidate ridges (in kernel units), in
    increasing order. ``exhaustive``: evaluate the LOO error at every alpha (one (n, n) x
    (n, targets) product each); False: search locally from the GCV optimum (:func:`_local`),
    which finds the same alpha wherever the LOO error has no second local minimum on the grid
    and costs about 3 products instead of n_alphas; None (default): exhaustive below
    EXHAUSTIVE_BELOW training images, local above."""
    k_train = np.asarray(k_train, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    _check(k_train, y, alphas)
    if np.any(np.diff(alphas) <= 0):
        raise InputError(f"ridge: alphas must be increasing, got {list(alphas)}")
    device = torch.device(device)
    n, v = y.shape
    exhaustive = n < EXHAUSTIVE_BELOW if exhaustive is None else exhaustive
    kc, k_mean, k_grand = centre_train(k_train)
    # Kc + 11ᵀ has the constant vector as an eigenvector of its own (eigenvalue n), also when
    # Kc is rank-deficient (more images than features): the intercept's direction, whose
    # ridge is cancelled (sklearn's _RidgeGCV does the same)
    s, q = np.linalg.eigh(kc + 1.0)
    s = np.clip(s, 0.0, None)
    intercept = int(np.argmax(np.abs(q.sum(axis=0))))
    w = 1.0 / (s[None, :] + alphas[:, None])          # (n_alphas, n)
    w[:, intercept] = 0.0
    g_inv = (q**2) @ w.T                               # (n, n_alphas): diagonal of G⁻¹
    h = s[None, :] * w                                 # hat-matrix eigenvalues
    h[:, intercept] = 1.0
    gcv_w = (1.0 - h) ** 2 / ((1.0 - h.sum(axis=1, keepdims=True) / n) ** 2)
    y_mean = y.mean(axis=0)
    t = {name: torch.as_tensor(a, dtype=torch.float32, device=device)
         for name, a in (("q", q), ("w", w), ("g", g_inv), ("gcv", gcv_w))}
    best = np.empty(v, dtype=np.int64)
    loo = np.empty(v, dtype=np.float64)
    dual = np.empty((n, v), dtype=np.float64)
    for start in range(0, v, TARGET_CHUNK):
        sl = slice(start, min(v, start + TARGET_CHUNK))
        yc = torch.as_tensor(y[:, sl] - y_mean[sl], dtype=torch.float32, device=device)
        z = t["q"].T @ yc                              # (n, chunk)
        search = _exhaustive if exhaustive else _local
        idx, err, c = search(t, z)
        best[sl] = idx.cpu().numpy()
        loo[sl] = err.cpu().numpy()
        dual[:, sl] = c.cpu().double().numpy()
    return KernelRidgeFit(dual, alphas[best], loo, y_mean, k_mean, k_grand)


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


def predict(model: KernelRidgeFit, k_test: np.ndarray) -> np.ndarray:
    """(n_test, n_targets) predictions from the uncentred (n_test, n_train) test kernel."""
    k_test = np.asarray(k_test, dtype=np.float64)
    if k_test.ndim != 2 or k_test.shape[1] != model.dual.shape[0]:
        raise InputError(f"ridge: the test kernel must be (n_test, n_train="
                         f"{model.dual.shape[0]}), got shape {k_test.shape}")
    return centre_test(k_test, model.k_mean, model.k_grand) @ model.dual + model.y_mean
