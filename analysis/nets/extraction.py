"""Record layer activations with forward hooks and write them batch by batch.

Units: for a convolutional output (B, C, H, W) a unit is a channel x position (C*H*W units,
channel-major); for a transformer output (B, T, D) a unit is a token x feature (T*D units,
token-major, all tokens including the CLS token at index 0); a 2-D output (B, D) has D units.
Kernel-level summaries aggregate each channel (conv) or feature (transformer) over positions or
tokens: mean, L2 norm and max. Units are stored as float16, summaries as float32.

Responses: a unit's response is the read module's output after the rectifier (``response:
rectified``, the default of zoo.yaml): the positive part, as a firing rate and as Lado & Dobs
read units after the ReLU. Modules that end in an activation (a ReLU) are unchanged by it;
modules that end in BatchNorm, a convolution or a norm (EfficientNet blocks, ViT sublayers) are
signed, and their rectified output is the response every analysis reads (selection, metrics,
comparisons). ``response: signed`` keeps the raw output (FSI then refuses it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import torch
from tqdm import tqdm

from analysis.nets.hooks import recording
from analysis.vocabulary import AGGREGATIONS


def kernel_view(x: torch.Tensor) -> torch.Tensor:
    """(B, kernels, positions) view of a layer output."""
    if x.ndim == 4:
        return x.flatten(2)
    if x.ndim == 3:
        return x.transpose(1, 2)
    if x.ndim == 2:
        return x[:, :, None]
    raise ValueError(f"cannot interpret a layer output of shape {tuple(x.shape)}")


def units(x: torch.Tensor) -> torch.Tensor:
    """(B, n_units) flattening in the documented unit order."""
    return x.flatten(1)


def as_response(x: torch.Tensor, response: str) -> torch.Tensor:
    """The response read from a module output: its positive part ('rectified') or itself
    ('signed')."""
    if response == "rectified":
        return torch.relu(x)
    if response == "signed":
        return x
    raise ValueError(f"response must be 'rectified' or 'signed', got {response!r}")


def summaries(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Kernel-level mean, L2 norm and max over positions: each (B, kernels)."""
    k = kernel_view(x).float()
    return {"mean": k.mean(2), "l2": k.norm(dim=2), "max": k.amax(2)}


def batches(images: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    for i in range(0, len(images), batch_size):
        yield images[i:i + batch_size]


def normalise(batch: np.ndarray, mean, std, device: torch.device) -> torch.Tensor:
    x = torch.from_numpy(np.array(batch)).to(device).float() / 255.0  # copy: mmap is read-only
    m = torch.tensor(mean, device=device).view(1, 3, 1, 1)
    s = torch.tensor(std, device=device).view(1, 3, 1, 1)
    return (x - m) / s


@torch.inference_mode()
def extract(model: torch.nn.Module, images: np.ndarray, layers: list[str], mean, std,
            out: Path, batch_size: int, device: torch.device, response: str = "rectified",
            desc: str = "extract", raw_layers: tuple[str, ...] = ()) -> None:
    """Write the responses of ``layers`` for uint8 images (n, 3, S, S) to HDF5 ``out``.

    Datasets per layer: ``<layer>/units`` (n, n_units) float16 and ``<layer>/kernel_<agg>``
    (n, n_kernels) float32 of the responses (:func:`as_response`); attrs ``shape`` (the
    per-image output shape) and ``response``. For ``raw_layers`` also ``<layer>/raw`` (n,
    n_units) float16: the module's output before the response is taken (what an in-silico
    lesion feeds to the next modules). Memory holds one batch at a time.
    """
    model = model.to(device)
    n = len(images)
    with recording(model, layers) as outputs, h5py.File(out, "w") as f:
        row = 0
        for batch in tqdm(batches(images, batch_size), total=-(-n // batch_size),
                          desc=desc, leave=False):
            model(normalise(batch, mean, std, device))
            for name in layers:
                x = as_response(outputs[name], response)
                u = units(x).to(torch.float16).cpu().numpy()
                if row == 0:
                    g = f.create_group(name)
                    g.attrs["shape"] = list(x.shape[1:])
                    g.attrs["response"] = response
                    g.create_dataset("units", (n, u.shape[1]), np.float16,
                                     chunks=(min(batch_size, n), min(u.shape[1], 1 << 16)),
                                     track_times=False)
                    if name in raw_layers:
                        g.create_dataset("raw", (n, u.shape[1]), np.float16,
                                         chunks=(min(batch_size, n), min(u.shape[1], 1 << 16)),
                                         track_times=False)
                    for agg in AGGREGATIONS:
                        g.create_dataset(f"kernel_{agg}", (n, kernel_view(x).shape[1]),
                                         np.float32, track_times=False)
                f[name]["units"][row:row + len(batch)] = u
                if name in raw_layers:
                    f[name]["raw"][row:row + len(batch)] = \
                        units(outputs[name]).to(torch.float16).cpu().numpy()
                for agg, v in summaries(x).items():
                    f[name][f"kernel_{agg}"][row:row + len(batch)] = v.cpu().numpy()
            row += len(batch)


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda if available else cpu."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)
