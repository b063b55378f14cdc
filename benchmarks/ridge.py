"""The encoding models' ridge solver against scikit-learn and himalaya on identical data.

Data: n = 4000 training and 1000 test images, p = 10 000 features, v = 10 000 targets, 10
alphas (the sizes of the encoding issue; BENCH_RIDGE_SCALE=0.25 shrinks n, p and v for a quick
run). Targets are a planted linear map of the features plus noise of a level that varies across
targets, so the chosen alphas spread over the grid. Every solver fits on the training images
and predicts the test images; a time includes everything from the features to the test
predictions (our solver: the linear kernels X Xᵀ too). Agreement with scikit-learn (exact LOO,
float64): fraction of targets with the same alpha, and the largest prediction difference
relative to the predictions' SD. Ours is timed with its default local LOO search and with the
exhaustive one (every alpha). himalaya chooses alphas by 5-fold CV (its default; LOO is not
offered), so its alphas may differ where two are close; its agreement is reported the same way.

Also measured: the kernel accumulation's peak memory (growth of the peak resident set) against
the number of features read from a float16 store, which must stay flat (chunked) while features
grow.

Every solver is warmed up on a small problem before it is timed (CUDA context, library
handles); our solver keeps the kernel on the device it was computed on. Ours is also timed with
the eigendecomposition forced to float32 (its "auto" choice is recorded: float64 on this data,
whose smallest ridge is 0.4 % of the largest eigenvalue; see ridge.FLOAT32_MIN_RIDGE_SHARE).

Writes results/ridge.json, or results/ridge_gpu.json on a machine with a GPU.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import torch

from analysis.methods import kernels, ridge

RESULTS = Path(__file__).parent / "results" / "ridge.json"
#: Where a machine with a GPU writes (the CPU rows there are that machine's CPU).
RESULTS_GPU = Path(__file__).parent / "results" / "ridge_gpu.json"
SCALE = float(os.environ.get("BENCH_RIDGE_SCALE", "1"))
N, N_TEST, P, V = (int(4000 * SCALE), int(1000 * SCALE), int(10000 * SCALE),
                   int(10000 * SCALE))
ALPHAS = np.logspace(2, 7, 10)
#: himalaya's primal RidgeCV (SVD per fold) is also timed when BENCH_RIDGE_PRIMAL=1: with fewer
#: images than features it is the slow path (himalaya warns and recommends its kernel solver;
#: 472 s here, measured once while other work ran).
PRIMAL = os.environ.get("BENCH_RIDGE_PRIMAL") == "1"


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N + N_TEST, P)).astype(np.float32)
    w = rng.normal(size=(P, V)).astype(np.float32) / np.sqrt(P)
    noise = rng.uniform(0.2, 5.0, V).astype(np.float32)
    y = x @ w + noise * rng.normal(size=(N + N_TEST, V)).astype(np.float32)
    return x, y


def ours(x: np.ndarray, y: np.ndarray, n: int, device: str, exhaustive: bool = False,
         precision: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Fit on the first n images, predict the rest; kernel, fit and predictions on
    ``device``: the kernel never leaves it."""
    xt = torch.as_tensor(x, device=device)
    k = (xt @ xt[:n].T).double()
    model = ridge.fit(k[:n], y[:n], ALPHAS, device, exhaustive, precision)
    return ridge.predict(model, k[n:]), model.alpha


def sklearn_ridge(x: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import RidgeCV
    model = RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(x[:n], y[:n])
    return model.predict(x[n:]), model.alpha_


def himalaya_ridge(x: np.ndarray, y: np.ndarray, n: int, kernel: bool, device: str
                   ) -> tuple[np.ndarray, np.ndarray]:
    from himalaya.backend import set_backend
    from himalaya.kernel_ridge import KernelRidgeCV
    from himalaya.ridge import RidgeCV
    backend = set_backend("torch_cuda" if device == "cuda" else "torch", on_error="raise")
    xs, ys = backend.asarray(x[:n]), backend.asarray(y[:n])
    if kernel:
        model = KernelRidgeCV(alphas=ALPHAS, kernel="linear", fit_intercept=True,
                              solver_params=dict(n_targets_batch=2048))
    else:
        model = RidgeCV(alphas=ALPHAS, fit_intercept=True, solver_params=dict(n_targets_batch=2048))
    model.fit(xs, ys)
    pred = backend.to_numpy(model.predict(backend.asarray(x[n:])))
    alphas = backend.to_numpy(model.best_alphas_)
    return pred, alphas


def agreement(pred: np.ndarray, alpha: np.ndarray, ref_pred: np.ndarray,
              ref_alpha: np.ndarray) -> dict[str, float | None]:
    same = np.isclose(alpha, ref_alpha, rtol=1e-6)
    rel = np.abs(pred - ref_pred).max(0) / ref_pred.std(0)
    return {"same_alpha": float(same.mean()),
            "max_rel_prediction_difference_same_alpha": float(rel[same].max()) if same.any()
            else None,
            "median_prediction_correlation": float(np.median(
                [np.corrcoef(pred[:, j], ref_pred[:, j])[0, 1] for j in range(0, V, 50)]))}


def timed(fn, x: np.ndarray, y: np.ndarray, *args) -> tuple[float, tuple[np.ndarray, np.ndarray]]:
    """Seconds of one call on the benchmark's data, after a warm-up call on a small problem
    (300 images, 64 targets): CUDA context, cuBLAS / cuSOLVER handles and library caches are
    initialised before the clock starts, so no solver pays another's start-up."""
    m = min(300, len(x))
    fn(x[:m], y[:m, :64], int(0.8 * m), *args)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    out = fn(x, y, N, *args)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - t0, out


def _kernel_peak(path: str, queue) -> None:
    """In a fresh process: growth of peak RSS (MB) and seconds of one kernel accumulation."""
    with h5py.File(path, "r") as f:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
        before = _vm("VmRSS")
        t0 = time.perf_counter()
        kernels.linear_kernel([(f["units"], np.arange(f["units"].shape[0]))], {"all": None})
        secs = time.perf_counter() - t0
    queue.put(((_vm("VmHWM") - before) / 1024, secs))


def _vm(field: str) -> int:
    """A /proc/self/status memory field in kB (Linux)."""
    line = next(x for x in Path("/proc/self/status").read_text().splitlines()
                if x.startswith(field))
    return int(line.split()[1])


def kernel_memory() -> list[dict[str, float]]:
    """Peak memory growth of accumulating X Xᵀ (1000 images) from a float16 store, each size
    in its own process, with glibc's default allocator settings and with a fixed mmap
    threshold (MALLOC_MMAP_THRESHOLD_=131072: freed large blocks go back to the system instead
    of being kept on the heap, so the peak shows what the algorithm holds)."""
    rows = []
    rng = np.random.default_rng(1)
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "acts.h5"
        for p in (5_000, 20_000, 80_000):
            with h5py.File(path, "w") as f:
                f.create_dataset("units", data=rng.normal(size=(1000, p)).astype(np.float16),
                                 chunks=(32, min(p, 1 << 16)))
            row = {"features": p, "float32_features_mb": 1000 * p * 4 / 2**20}
            for label, env in (("default_malloc", None), ("fixed_mmap_threshold", "131072")):
                if env is not None:
                    os.environ["MALLOC_MMAP_THRESHOLD_"] = env
                queue = ctx.Queue()
                proc = ctx.Process(target=_kernel_peak, args=(str(path), queue))
                proc.start()
                peak, secs = queue.get()
                proc.join()
                os.environ.pop("MALLOC_MMAP_THRESHOLD_", None)
                row |= {f"peak_growth_mb_{label}": peak, f"seconds_{label}": secs}
            rows.append(row)
    return rows


def main() -> None:
    torch.set_num_threads(os.cpu_count() or 1)
    x, y = data()
    cuda = torch.cuda.is_available()
    devices = ["cpu"] + (["cuda"] if cuda else [])
    out: dict = {"n_train": N, "n_test": N_TEST, "features": P, "targets": V,
                 "alphas": len(ALPHAS), "machine": platform.processor() or platform.machine(),
                 "gpu": torch.cuda.get_device_name() if cuda else None,
                 "cpu_threads": torch.get_num_threads(), "torch": torch.__version__,
                 "seconds": {}, "agreement_with_sklearn": {}}
    t, (ref_pred, ref_alpha) = timed(sklearn_ridge, x, y)
    out["seconds"]["sklearn_RidgeCV_alpha_per_target"] = t
    for device in devices:
        kc = torch.as_tensor(ridge.centre_train((x[:N].astype(np.float64) @ x[:N].T))[0])
        out[f"eigen_precision_auto_{device}"] = str(ridge.eigen_precision(kc, ALPHAS, "auto"))
        for name, fn, args in (
                (f"selcomp_loo_kernel_{device}", ours, (device,)),
                (f"selcomp_loo_kernel_float32_eigh_{device}", ours, (device, False, "float32")),
                (f"selcomp_loo_kernel_exhaustive_{device}", ours, (device, True)),
                (f"himalaya_KernelRidgeCV_{device}", himalaya_ridge, (True, device)),
                *([(f"himalaya_RidgeCV_{device}", himalaya_ridge, (False, device))]
                  if PRIMAL else [])):
            t, (pred, alpha) = timed(fn, x, y, *args)
            out["seconds"][name] = t
            out["agreement_with_sklearn"][name] = agreement(pred, alpha, ref_pred, ref_alpha)
            print(name, f"{t:.1f} s", out["agreement_with_sklearn"][name], flush=True)
    s = out["seconds"]
    out["speedup_vs_sklearn"] = {k: s["sklearn_RidgeCV_alpha_per_target"] / v
                                 for k, v in s.items() if k.startswith("selcomp")}
    for device in devices:
        best_him = min(v for k, v in s.items()
                       if k.startswith("himalaya") and k.endswith(device))
        out[f"speedup_vs_best_himalaya_{device}"] = best_him / s[f"selcomp_loo_kernel_{device}"]
    out["kernel_accumulation_memory"] = kernel_memory()
    path = RESULTS_GPU if cuda else RESULTS
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
