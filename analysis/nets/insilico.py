"""In-silico unit lesions that propagate: silence a set of units of one layer and read a later
layer (the encoding models' in-silico test of Finding 4).

The layer's raw (pre-response) output is stored at extraction for the NSD images; each lesion
runs only the modules between it and the read-out layer (:func:`tail_after`), which is checked
against a hooked full forward pass on a few images. Silencing follows analysis.nets.lesion:
units of a non-negative (post-activation) output are set to 0, units of a signed output are
mean-ablated (their mean over the images).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from analysis.errors import InputError
from analysis.nets.extraction import as_response, kernel_view, normalise, units
from analysis.nets.hooks import recording
from analysis.nets.lesion import graph_tail


def tail_after(model: torch.nn.Module, layer: str, readout: str) -> torch.nn.Module:
    """The modules run after ``layer`` up to and including ``readout``, for networks that run
    their children in registration order (timm's EfficientNet, MobileNet, ResNet stages...):
    the later siblings of ``layer`` and of each of its ancestors, until ``readout``. A
    converted ONNX graph (``torch.fx.GraphModule``) is cut at the two nodes instead
    (:func:`analysis.nets.lesion.graph_tail`)."""
    if isinstance(model, torch.fx.GraphModule):
        tail = graph_tail(model, layer, readout)
        if tail is None:
            raise InputError(f"{readout!r} is not computed from {layer!r} alone in this "
                             "graph: choose another read-out (zoo entry `penultimate`)")
        return tail
    path = layer.split(".")
    mods: list[torch.nn.Module] = []
    while path:
        parent_name = ".".join(path[:-1])
        parent = model.get_submodule(parent_name) if parent_name else model
        names = [n for n, _ in parent.named_children()]
        for name in names[names.index(path[-1]) + 1:]:
            full = f"{parent_name}.{name}" if parent_name else name
            if readout == full:
                return torch.nn.Sequential(*mods, parent.get_submodule(name))
            if readout.startswith(full + "."):
                raise InputError(f"encoding.insilico_readout = {readout!r} lies inside "
                                 f"{full!r}: read a whole module after {layer!r}")
            mods.append(parent.get_submodule(name))
        path = path[:-1]
    raise InputError(f"encoding.insilico_readout = {readout!r} is not a module after "
                     f"{layer!r} in this network")


@torch.inference_mode()
def check_tail(model: torch.nn.Module, tail: torch.nn.Module, images: np.ndarray, layer: str,
               readout: str, mean, std, device: torch.device) -> None:
    """Fail unless the tail reproduces the full forward pass's read-out on ``images``."""
    with recording(model, [layer, readout]) as rec:
        model(normalise(images, mean, std, device))
        want, cached = rec[readout].float().clone(), rec[layer].clone()
    got = tail(cached).float()
    if want.shape != got.shape or not torch.allclose(
            want, got, rtol=1e-4, atol=1e-4 * float(want.abs().max())):
        raise InputError(f"the modules between {layer!r} and {readout!r} do not run in "
                         "registration order in this network: choose another "
                         "encoding.insilico_readout")


def silencing(raw, batch_size: int) -> tuple[str, np.ndarray | None]:
    """('zero', None) when a layer's raw outputs (n_images, n_units; array or HDF5 dataset,
    read in batches) are never negative (post-activation), else ('mean_ablation', their
    (n_units,) mean over the images)."""
    lowest, total = np.inf, np.zeros(raw.shape[1], dtype=np.float64)
    for i in range(0, raw.shape[0], batch_size):
        x = np.asarray(raw[i:i + batch_size], dtype=np.float64)
        lowest = min(lowest, float(x.min()))
        total += x.sum(0)
    return ("zero", None) if lowest >= 0 else ("mean_ablation", total / raw.shape[0])


@torch.inference_mode()
def lesioned_readouts(tail: torch.nn.Module, raw, shape: tuple[int, ...],
                      lesions: dict[str, np.ndarray | None], response: str, batch_size: int,
                      device: torch.device, pool: bool = False
                      ) -> Iterator[tuple[str, str, np.ndarray]]:
    """For each lesion (name -> (n_units,) bool mask of the layer's units, None for the intact
    network): (name, silencing method, (n_images, n_readout_units) float16 read-out responses;
    with ``pool``, (n_images, n_kernels): each read-out kernel's mean over positions).

    raw: (n_images, n_units) raw layer outputs (array or HDF5 dataset, read in batches);
    shape: one image's output shape (e.g. (C, H, W))."""
    method, fill = silencing(raw, batch_size)
    flat_fill = None if fill is None else torch.as_tensor(fill, dtype=torch.float32,
                                                          device=device)
    for name, mask in lesions.items():
        out = []
        m = None if mask is None else torch.as_tensor(mask, device=device)
        for i in range(0, raw.shape[0], batch_size):
            flat = torch.tensor(np.asarray(raw[i:i + batch_size], dtype=np.float32),
                                device=device)  # a copy: the lesion writes into it
            if m is not None:
                flat[:, m] = 0.0 if flat_fill is None else flat_fill[m]
            x = flat.reshape(len(flat), *shape)
            r = as_response(tail(x), response)
            r = kernel_view(r).mean(2) if pool else units(r)
            out.append(r.to(torch.float16).cpu())
        yield name, method if mask is not None else "intact", torch.cat(out).numpy()
