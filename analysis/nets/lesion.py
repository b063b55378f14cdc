"""In-silico lesions: silence one kernel of a layer in the forward pass (a forward hook) and
measure the drop in face-identity decoding from a downstream read-out layer.

Silencing: a kernel of a post-activation output (non-negative on every image) is set to 0, its
"off" state. A signed output (a block that ends in BatchNorm, as EfficientNet's) has no off
state — zero is an arbitrary value there, and setting it shifts the channel rather than silencing
it — so the kernel is mean-ablated: replaced by its mean over the lesion images at each position,
which removes the information it carries about the image and keeps what the next layer expects
on average. The method used is returned with the table (``attrs["silencing"]``).

The decoders (a classifier factory and the folds, given by the caller: the decoding method is
not this layer's to choose) are trained on the intact network's read-out features and tested on
held-out images with and without the lesion, so the effect of a kernel is the accuracy lost
when it is silenced: effect_k = acc_intact - acc_lesioned_k (mean over folds).

When the lesioned layer and the read-out layer are children of the same ``nn.Sequential``
(e.g. ``blocks.5`` and ``blocks.6``), the lesioned layer's intact output is computed once and
only the modules between the two layers are rerun per lesion — the same computation as a full
forward pass with the hook (tested), at a fraction of the cost. A converted ONNX graph
(``torch.fx.GraphModule``) is cut the same way (:func:`graph_tail`) when the readout depends on
the input only through the lesioned layer. Otherwise every lesion runs the full forward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from analysis.nets.extraction import batches, kernel_view, normalise
from analysis.nets.hooks import module, recording, replacing


def silence_kernel(x: torch.Tensor, k: int, fill: torch.Tensor | None = None) -> torch.Tensor:
    """A copy of a layer output with kernel ``k`` (channel of a conv output (B, C, H, W), feature
    of a transformer output (B, T, D)) set to 0, or to ``fill``'s values for that kernel when
    given (``fill``: the per-image output shape, e.g. the mean output over images)."""
    out = x.clone()
    if out.ndim == 3:
        out[..., k] = 0 if fill is None else fill[..., k]
    else:
        out[:, k] = 0 if fill is None else fill[k]
    return out


def silencing_fill(cached: torch.Tensor) -> tuple[str, torch.Tensor | None]:
    """('zero', None) for a non-negative (post-activation) layer output (n, ...), else
    ('mean_ablation', its mean over images)."""
    if float(cached.min()) >= 0:
        return "zero", None
    return "mean_ablation", cached.float().mean(0)


@torch.inference_mode()
def _layer_output(model: torch.nn.Module, batch: np.ndarray, layer: str, mean, std,
                  device: torch.device) -> np.ndarray:
    with recording(model, [layer]) as out:
        model(normalise(batch, mean, std, device))
    return out[layer].cpu().numpy()


@torch.inference_mode()
def readout(model: torch.nn.Module, images: np.ndarray, layer: str, mean, std, batch_size: int,
            device: torch.device) -> np.ndarray:
    """Kernel-mean (global average pooled) activations of ``layer``: (n_images, n_kernels)."""
    feats: list[torch.Tensor] = []
    with recording(model, [layer]) as out:
        for b in batches(images, batch_size):
            model(normalise(b, mean, std, device))
            feats.append(kernel_view(out[layer]).float().mean(2).cpu())
    return torch.cat(feats).numpy()


def sequential_tail(model: torch.nn.Module, layer: str, readout_layer: str
                    ) -> torch.nn.Sequential | None:
    """The modules after ``layer`` up to ``readout_layer`` if both are children of one
    ``nn.Sequential``; else None."""
    pa, _, a = layer.rpartition(".")
    pb, _, b = readout_layer.rpartition(".")
    if pa != pb or not (a.isdigit() and b.isdigit()) or int(b) <= int(a):
        return None
    parent = model.get_submodule(pa) if pa else model
    if not isinstance(parent, torch.nn.Sequential):
        return None
    return torch.nn.Sequential(*[parent[i] for i in range(int(a) + 1, int(b) + 1)])


def graph_tail(model: torch.nn.Module, layer: str, readout_layer: str
               ) -> torch.fx.GraphModule | None:
    """For a ``torch.fx.GraphModule`` (an ONNX conversion), the part of its graph that
    computes ``readout_layer``'s output from ``layer``'s output alone; None if the model is
    not a graph module, either name is not a module call, or the readout also depends on the
    input by another path (a skip connection around ``layer``)."""
    if not isinstance(model, torch.fx.GraphModule):
        return None
    calls = {n.target: n for n in model.graph.nodes if n.op == "call_module"}
    start, end = calls.get(layer), calls.get(readout_layer)
    if start is None or end is None:
        return None
    needed, stack, reached = set(), [end], False
    while stack:
        node = stack.pop()
        if node is start:
            reached = True
            continue
        if node in needed:
            continue
        if node.op == "placeholder":
            return None
        needed.add(node)
        stack.extend(node.all_input_nodes)
    if not reached:
        return None
    graph = torch.fx.Graph()
    env = {start: graph.placeholder("x")}
    for node in model.graph.nodes:  # in topological order
        if node in needed:
            env[node] = graph.node_copy(node, lambda a: env[a])
    graph.output(env[end])
    return torch.fx.GraphModule(model, graph)


@torch.inference_mode()
def _tail_features(tail: torch.nn.Module, cached: torch.Tensor, k: int | None,
                   batch_size: int, device: torch.device, fill: torch.Tensor | None = None
                   ) -> np.ndarray:
    out = []
    fill = None if fill is None else fill.to(device)
    for i in range(0, len(cached), batch_size):
        x = cached[i:i + batch_size].to(device)
        x = x if k is None else silence_kernel(x, k, fill)
        out.append(kernel_view(tail(x)).float().mean(2).cpu())
    return torch.cat(out).numpy()


def lesion_effects(model: torch.nn.Module, images: np.ndarray, identities: np.ndarray,
                   layer: str, readout_layer: str, mean, std, batch_size: int,
                   device: torch.device, classifier: Callable[[], Any],
                   splits: Sequence[tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Decoding accuracy and effect of silencing each kernel of ``layer``.

    ``classifier()`` returns an unfitted scikit-learn classifier; ``splits`` are (train, test)
    positions of the images (one decoder per split).

    effect = intact accuracy - lesioned accuracy (positive: the lesion hurts). attrs:
    ``intact_accuracy`` and ``silencing`` ('zero' or 'mean_ablation', see the module)."""
    model = model.to(device).eval()
    target = module(model, layer)
    cached = torch.from_numpy(np.concatenate(
        [_layer_output(model, b, layer, mean, std, device) for b in batches(images, batch_size)]))
    n_kernels = kernel_view(cached[:1]).shape[1]
    method, fill = silencing_fill(cached)
    intact = readout(model, images, readout_layer, mean, std, batch_size, device)
    clfs = [classifier().fit(intact[tr], identities[tr]) for tr, _ in splits]

    def accuracy(feats: np.ndarray) -> float:
        return float(np.mean([(c.predict(feats[te]) == identities[te]).mean()
                              for c, (_, te) in zip(clfs, splits, strict=True)]))

    acc0 = round(accuracy(intact), 12)
    tail = sequential_tail(model, layer, readout_layer) or graph_tail(model, layer,
                                                                   readout_layer)
    device_fill = None if fill is None else fill.to(device)
    rows = []
    for k in tqdm(range(n_kernels), desc=f"lesion {layer}", leave=False):
        if tail is not None:
            feats = _tail_features(tail, cached, k, batch_size, device, fill)
        else:
            with replacing(target, partial(silence_kernel, k=k, fill=device_fill)):
                feats = readout(model, images, readout_layer, mean, std, batch_size, device)
        acc = round(accuracy(feats), 12)  # no float noise: equal accuracies tie exactly
        rows.append({"kernel": k, "accuracy": acc, "effect": round(acc0 - acc, 12)})
    table = pd.DataFrame(rows)
    table.attrs["intact_accuracy"] = acc0
    table.attrs["silencing"] = method
    return table
