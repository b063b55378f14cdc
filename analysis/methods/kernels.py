"""Linear kernels (images x images) of unit subsets, accumulated over feature chunks.

Encoding models are fitted in the image space: a layer with p units (150 000 for a ViT layer)
on n images (about 10 000 per NSD subject) never needs its (n, p) float32 features in memory.
The float16 store is read ``chunk`` features at a time and every requested subset's kernel
``K_S = X[:, S] X[:, S]ᵀ`` is accumulated in float64; memory is O(n·chunk + n²·subsets).
The kernels of complementary sets follow by subtraction: lesioned = K_all − K_selective.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import torch

#: Features read per step: (10 000 images x 4096) float32 = 160 MB.
FEATURE_CHUNK = 4096

#: A group's key (e.g. a subject number, or a name).
G = TypeVar("G")


def linear_kernels(stores: Sequence[Any], groups: Mapping[G, Sequence[np.ndarray]],
                   subsets: Mapping[str, np.ndarray | None], chunk: int = FEATURE_CHUNK,
                   device: torch.device | str = "cpu") -> dict[G, dict[str, np.ndarray]]:
    """Kernels of feature subsets for several image groups, reading each store once.

    stores: (n_images_i, n_features) arrays or HDF5 datasets with the same features;
    groups: name -> one array of row positions per store (a group's images are its rows of
    the first store, then of the second, ...; e.g. a subject's own images, then the shared
    ones); subsets: name -> (n_features,) bool mask, or None for every feature. Each chunk of
    features is read once for every row the groups use. Returns group -> subset -> (n, n)
    float64 ``X_S X_Sᵀ``."""
    p = stores[0].shape[1]
    for units in stores:
        if units.shape[1] != p:
            raise ValueError(f"linear_kernels: stores have {units.shape[1]} and {p} features")
    for name, mask in subsets.items():
        if mask is not None and (mask.dtype != bool or mask.shape != (p,)):
            raise ValueError(f"linear_kernels: subset '{name}' must be a ({p},) bool mask")
    used = []
    for i, units in enumerate(stores):
        rows = [np.asarray(g[i]) for g in groups.values()]
        u = np.unique(np.concatenate(rows)) if rows else np.zeros(0, int)
        if len(u) and (u[0] < 0 or u[-1] >= units.shape[0]):
            raise ValueError(f"linear_kernels: rows outside store {i} (0..{units.shape[0] - 1})")
        used.append(u)
    pos = {g: [np.searchsorted(used[i], np.asarray(r)) for i, r in enumerate(rows)]
           for g, rows in groups.items()}
    acc = {g: {name: torch.zeros((sum(len(r) for r in rows),) * 2, dtype=torch.float64,
                                 device=device) for name in subsets}
           for g, rows in groups.items()}
    buffers = [np.empty((len(u), chunk), dtype=np.float32) for u in used]  # reused per chunk
    for start in range(0, p, chunk):
        stop = min(p, start + chunk)
        blocks = [torch.as_tensor(_read(units, u, start, stop, buf), device=device)
                  for units, u, buf in zip(stores, used, buffers, strict=True)]
        masks = {name: None if m is None else torch.as_tensor(m[start:stop], device=device)
                 for name, m in subsets.items()}
        for g, where in pos.items():
            x = torch.cat([b[torch.as_tensor(w, device=device)]
                           for b, w in zip(blocks, where, strict=True)])
            for name, m in masks.items():
                xs = x if m is None else x[:, m]
                if xs.shape[1]:
                    acc[g][name] += (xs @ xs.T).double()
    return {g: {name: k.cpu().numpy() for name, k in ks.items()} for g, ks in acc.items()}


def linear_kernel(parts: Sequence[tuple[object, np.ndarray]],
                  subsets: Mapping[str, np.ndarray | None], chunk: int = FEATURE_CHUNK,
                  device: torch.device | str = "cpu") -> dict[str, np.ndarray]:
    """Kernels of feature subsets of one group of images stacked from (store, rows) parts
    (see :func:`linear_kernels`): name -> (n, n) float64."""
    for _, rows in parts:
        if np.any(np.diff(rows) <= 0):
            raise ValueError("linear_kernel: rows must be strictly increasing")
    return linear_kernels([u for u, _ in parts], {"group": [r for _, r in parts]}, subsets,
                          chunk, device)["group"]


def _read(units, rows: np.ndarray, start: int, stop: int, buf: np.ndarray) -> np.ndarray:
    """float32 (len(rows), stop - start) block, in ``buf`` where possible (no new allocation
    per chunk); rows sorted and unique. An HDF5 dataset is read straight into the buffer
    (converted from float16 by HDF5) when the rows are contiguous, else row by row."""
    width = stop - start
    out = buf[:len(rows), :width]
    if len(rows) == 0:
        return out
    lo, hi = int(rows[0]), int(rows[-1]) + 1
    if hasattr(units, "read_direct") and hi - lo == len(rows):
        dest = np.empty((len(rows), width), dtype=np.float32) if width != buf.shape[1] else buf
        units.read_direct(dest, source_sel=np.s_[lo:hi, start:stop])
        return dest
    if hi - lo <= 4 * len(rows):
        out[:] = np.asarray(units[lo:hi, start:stop])[rows - lo]
    else:
        out[:] = units[rows.tolist(), start:stop]
    return out
