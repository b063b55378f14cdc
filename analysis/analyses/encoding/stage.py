"""Voxel-wise encoding models: are a layer's category-selective units necessary or sufficient
to predict the brain? (Finding 4, Figure 5.)

For every trained network, subject and main region (FFA, EBA, PPA): kernel ridge models (alpha
per voxel by leave-one-out, analysis.methods.ridge) trained on the subject's own images and tested
on the shared images, from the category's layer with every unit, without the selective units,
with only them, and with random unit sets of the same size removed or kept (voxelwise.py);
from a later layer with the selective (or random) units silenced in the forward pass
(in-silico lesion, analysis.nets.insilico, here); and the controls: a noise-free
simulated brain as the features (positive; where the tier has one) and the network with the
images shuffled (negative: every image gets another image's features). Accuracy per voxel (r,
normalised by NSD's noise ceiling) and per region (univariate and multivariate, with the
comparison's RDM distance, noise-corrected as in the comparison). Kernels are accumulated over
feature chunks from the float16 store (analysis.methods.kernels). Writes
results/analyses/encoding/ (accuracy.csv, excluded.csv, summary.json); the fits: compute.py
(reading the stores through the readers handed in here), the summary: summary.py.
"""

from __future__ import annotations

import argparse

import h5py
import numpy as np
import torch
from tqdm import tqdm

from analysis import config, paths
from analysis.analyses.encoding.compute import Stores, encode
from analysis.analyses.encoding.params import OUTPUT, block
from analysis.analyses.encoding.summary import summary
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError
from analysis.io import activation_store, brain_store, controls, unit_store
from analysis.methods.kernels import linear_kernels
from analysis.nets import insilico, zoo
from analysis.nets.extraction import resolve_device
from analysis.nets.preprocess import check_model_config


def insilico_kernels(params: config.Params, model: str, layer: str,
                     lesions: dict[str, np.ndarray | None], groups: dict[int, list[np.ndarray]],
                     device: torch.device) -> tuple[dict[int, dict[str, np.ndarray]], str]:
    """Per subject, kernels of the read-out layer for each lesion; and the silencing method.
    groups: subject -> [own rows, shared rows] in the activation stores."""
    entry = params.zoo[model]
    readout = entry.penultimate or block(params).insilico_readout
    assert entry.preprocessing is not None  # config: every model in `models` has one
    assert readout is not None  # only called with encoding.insilico_readout set
    pre = params.preprocessing[entry.preprocessing]
    net = zoo.build(model, entry, pre.input_size).to(device).eval()
    cfg = check_model_config(net, pre, model, entry)
    tail = insilico.tail_after(net, layer, readout).to(device)
    probe = np.load(paths.preprocessed(entry.preprocessing, paths.NSD_SHARED_SET, "npy"),
                    mmap_mode="r")[:4]
    insilico.check_tail(net, tail, np.asarray(probe), layer, readout, cfg["mean"], cfg["std"],
                        device)
    out: dict[int, dict[str, np.ndarray]] = {s: {} for s in groups}
    method = "intact"
    with h5py.File(paths.activations(model, paths.NSD_OWN_SET), "r") as fo, \
            h5py.File(paths.activations(model, paths.NSD_SHARED_SET), "r") as fs:
        if "raw" not in fo[layer] or "raw" not in fs[layer]:
            raise InputError(f"{paths.activations(model)} has no raw outputs of {layer}: rerun "
                             f"extract@{model}")
        shape = tuple(fs[layer].attrs["shape"])
        n_own = fo[layer]["raw"].shape[0]
        raw = _Stacked(fo[layer]["raw"], fs[layer]["raw"])
        for name, how, feats in tqdm(insilico.lesioned_readouts(
                tail, raw, shape, lesions, entry.response, params.extraction.batch_size,
                device, block(params).insilico_pool), total=len(lesions),
                desc=f"encode {model}: in-silico lesions", leave=False):
            method = how if how != "intact" else method
            kern = linear_kernels([feats[:n_own], feats[n_own:]], groups, {"k": None},
                                  device=device)
            for s in groups:
                out[s][name] = kern[s]["k"]
    return out, method


class _Stacked:
    """Two (n_i, p) arrays or datasets read as one (n_1 + n_2, p) array in row slices."""

    def __init__(self, a, b) -> None:
        self.a, self.b = a, b
        self.shape = (a.shape[0] + b.shape[0], a.shape[1])

    def __getitem__(self, rows: slice) -> np.ndarray:
        start, stop, _ = rows.indices(self.shape[0])
        na = self.a.shape[0]
        parts = []
        if start < na:
            parts.append(np.asarray(self.a[start:min(stop, na)]))
        if stop > na:
            parts.append(np.asarray(self.b[max(start, na) - na:stop - na]))
        return np.concatenate(parts)


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    stores = Stores(index=activation_store.index, unit_mask=unit_store.selected,
                    brain=brain_store.responses, control=controls.positive,
                    insilico=insilico_kernels)
    acc, excluded_table, silencing = encode(params, resolve_device(params.extraction.device),
                                            stores)
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        write_csv(acc, tmp / "accuracy.csv")
        write_csv(excluded_table, tmp / "excluded.csv")
        write_json(summary(acc, params, silencing) | {"excluded": len(excluded_table)},
                   tmp / "summary.json")
