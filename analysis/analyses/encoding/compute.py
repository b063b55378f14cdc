"""The encoding models of every trained network and the positive control (see stage.py):
the feature sets' kernels, the fits and their accuracy, one row of accuracy.csv per model,
subject, region, feature set and draw (the methods: voxelwise.py). The stores are read through
the readers the stage hands in (Stores) and the activation files (kernels over chunks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import h5py
import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from analysis import config, paths, seeds
from analysis.analyses.encoding import voxelwise
from analysis.analyses.encoding.params import block
from analysis.errors import InputError
from analysis.methods.kernels import linear_kernels
from analysis.responses import NetworkId, Responses, Selection
from analysis.stats.comparison import (
    Method,
    comparison_method,
    prepare,
    profile,
    similarity,
)
from analysis.vocabulary import POSITIVE_CONTROL

#: Columns of accuracy.csv (one row per model, subject, region, feature set and draw).
ACCURACY_COLUMNS = ["model", "region", "category", "subject", "layer", "feature_set", "draw",
                    "n_units", "n_train", "n_test", "n_voxels", "alpha_relative_median",
                    "voxel_r", "voxel_noise_ceiling", "voxel_r_normalised", "univariate_r",
                    "univariate_rc", "multivariate_r", "multivariate_rc"]


@dataclass(frozen=True)
class Subject:
    """A subject's training (own, kept: at least one repetition shown) and test (shared)
    images as 0-based NSD ids."""

    number: int
    own: np.ndarray
    shared: np.ndarray


@dataclass(frozen=True)
class Stores:
    """The stage's readers (analysis.io and the networks), handed in by stage.py:
    index(set, preprocessing) -> an activation store's image index; unit_mask(model, layer,
    selection) -> (n_units,) bool, the units the selection picks; brain(subject, region,
    voxels, selection, images=) -> the subject's responses; control(region, contrast,
    threshold, images=) -> the noise-free simulated subject's responses or None;
    insilico(params, model, layer, lesions, groups, device) -> (subject -> lesion -> (n, n)
    kernel, silencing method)."""

    index: Callable[[str, str], pd.DataFrame]
    unit_mask: Callable[[str, str, Selection], np.ndarray]
    brain: Callable[..., Responses]
    control: Callable[..., Responses | None]
    insilico: Callable[..., tuple[dict[int, dict[str, np.ndarray]], str]]


def _subject(s: int) -> Subject:
    with h5py.File(paths.PREPARED_BRAIN / paths.brain_store(s).name, "r") as f:
        own = f["images/own"][()]
        shown = ~np.isnan(f["responses/own"][0]).all(axis=1) if len(own) else np.zeros(0, bool)
        return Subject(s, own[shown], f["images/shared"][()])


def _rows(index: pd.DataFrame, ids: np.ndarray, what: str) -> np.ndarray:
    pos = pd.Series(np.arange(len(index)), index=index["image_id"].to_numpy())
    missing = np.setdiff1d(ids, pos.index.to_numpy())
    if len(missing):
        raise InputError(f"{len(missing)} {what} images (e.g. NSD id {missing[0]}) have no "
                         "activations: rerun nsd-images, preprocess and extract")
    rows = pos.loc[ids].to_numpy()
    if np.any(np.diff(rows) <= 0):
        raise InputError(f"{what} images are not in the activation store's order")
    return rows


_NO_VOXELS = "no selected voxel at threshold {threshold}"


def _voxels(table: pd.DataFrame, s: int, region: str) -> np.ndarray:
    return table[(table["subject"] == s) & (table["roi"] == region)]["voxel"].to_numpy()


def _random_masks(n_units: int, size: int, draws: int, rng: np.random.Generator
                  ) -> list[np.ndarray]:
    out = []
    for _ in range(draws):
        m = np.zeros(n_units, dtype=bool)
        m[rng.choice(n_units, size, replace=False)] = True
        out.append(m)
    return out


def evaluate(pred: np.ndarray, measured: Responses, brain_profile, method: Method,
             model: str) -> dict[str, float]:
    """Voxel and region accuracy of predictions (n_test, n_voxels) of ``measured``."""
    vox = voxelwise.voxel_accuracy(pred, measured.data)
    net = Responses.from_network(pred, measured.stimuli, measured.channels,
                                 NetworkId(model, "encoding", True))
    out = {"voxel_r": float(np.nanmedian(vox["r"])),
           "voxel_noise_ceiling": float(np.nanmedian(vox["noise_ceiling"])),
           "voxel_r_normalised": float(np.nanmedian(vox["r_normalised"]))}
    pn = prepare(net, method)
    if pn is None or brain_profile is None:
        return out | {f"{m}_{k}": np.nan for m in ("univariate", "multivariate")
                      for k in ("r", "rc")}
    idx = np.arange(measured.n_stimuli)
    pp = profile(pn, idx)
    for m in ("univariate", "multivariate"):
        r, _, rc = similarity(brain_profile, pp, m, method)
        out |= {f"{m}_r": r, f"{m}_rc": rc}
    return out


def encode(params: config.Params, device: torch.device, stores: Stores
           ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(accuracy table (ACCURACY_COLUMNS), excluded table (model, region, subject, reason),
    layer -> silencing method of its in-silico lesions) of every trained network and the
    positive control, for every subject and main region."""
    method = comparison_method(params.comparison)
    regions = {c: r for c in params.categories if (r := params.main_region(c)) is not None}
    table = pd.read_csv(paths.SELECTED_VOXELS / "voxels.csv")
    subjects = [_subject(s) for s in params.subjects]
    rows: list[dict] = []
    excluded: list[dict] = []
    silencing: dict[str, str] = {}
    for model in params.trained_models():
        rows += encode_model(params, model, regions, table, subjects, method, device, silencing,
                             excluded, stores)
    rows += positive_control(params, regions, table, subjects, method, device, excluded, stores)
    acc = pd.DataFrame(rows, columns=ACCURACY_COLUMNS)
    excluded_table = pd.DataFrame(excluded, columns=["model", "region", "subject", "reason"])
    return acc, excluded_table, silencing


def _fit_rows(kernels: dict[tuple[str, int], np.ndarray], n_train: int, y: np.ndarray,
              measured: Responses, brain_profile, method: Method, model: str,
              relative_alphas: list[float], device: torch.device, key: dict,
              n_units: dict[str, int]) -> list[dict]:
    out = []
    for (name, draw), k in kernels.items():
        pred, alpha = voxelwise.fit_predict(k, n_train, y, relative_alphas, str(device))
        out.append(key | {"feature_set": name, "draw": draw, "n_units": n_units.get(name, -1),
                          "n_train": n_train, "n_test": measured.n_stimuli,
                          "n_voxels": measured.n_channels,
                          "alpha_relative_median": float(np.median(alpha))}
                   | evaluate(pred, measured, brain_profile, method, model))
    return out


def _targets(s: Subject, region: str, table: pd.DataFrame, threshold: float, contrast: str,
             stores: Stores) -> tuple[np.ndarray, Responses] | None:
    vox = _voxels(table, s.number, region)
    if len(vox) == 0:
        return None
    sel = Selection("fLOC", contrast, threshold)
    own = stores.brain(s.number, region, vox, sel, images="own")
    keep = np.isin(own.stimuli, s.own)
    y = np.nanmean(own.data[keep], axis=2)
    return y, stores.brain(s.number, region, vox, sel)


def encode_model(params: config.Params, model: str, regions: dict[str, str],
                 table: pd.DataFrame, subjects: list[Subject], method: Method,
                 device: torch.device, silencing: dict[str, str], excluded: list[dict],
                 stores: Stores) -> list[dict]:
    """Every feature set of one trained network, for every subject and main region; a
    subject and region without a selected voxel, or a region without a selective unit
    (necessity and sufficiency undefined), is appended to ``excluded`` with the reason."""
    enc = block(params)
    entry = params.zoo[model]
    assert entry.preprocessing is not None  # config: every model in `models` has one
    threshold = params.unit_threshold(True)
    index = {name: stores.index(name, entry.preprocessing)
             for name in (paths.NSD_OWN_SET, paths.NSD_SHARED_SET)}
    masks: dict[str, dict[str, np.ndarray]] = {}
    for c in regions:
        layer = params.layer(model, c)
        sel = stores.unit_mask(model, layer, Selection("floc", c, threshold))
        rng = seeds.stream(enc.seed, "random-units", model, c)
        masks[c] = {"selective": sel, **{f"random{j + 1}": m for j, m in enumerate(
            _random_masks(len(sel), int(sel.sum()), enc.random_sets, rng))}}
    groups = {s.number: [_rows(index[paths.NSD_OWN_SET], s.own, "own"),
                         _rows(index[paths.NSD_SHARED_SET], s.shared, "shared")]
              for s in subjects}
    # in-silico lesions: every category's lesions of a layer in one pass over its raw outputs
    insil: dict[str, dict[int, dict[str, np.ndarray]]] = {c: {} for c in regions}
    if enc.insilico_readout is not None:
        by_layer: dict[str, dict[str, np.ndarray | None]] = {}
        for c in regions:
            if masks[c]["selective"].any():
                lesions = by_layer.setdefault(params.layer(model, c), {"insilico_intact": None})
                lesions[f"{c}/insilico_lesioned"] = masks[c]["selective"]
                lesions.update({f"{c}/insilico_random_lesioned{j + 1}": masks[c][f"random{j + 1}"]
                                for j in range(enc.random_sets)})
        for layer, lesions in by_layer.items():
            lesioned, silencing[f"{model}/{layer}"] = stores.insilico(
                params, model, layer, lesions, groups, device)
            for c in regions:
                if params.layer(model, c) != layer:
                    continue
                for s, ks in lesioned.items():
                    insil[c][s] = {name.removeprefix(f"{c}/"): k for name, k in ks.items()
                                   if name == "insilico_intact" or name.startswith(f"{c}/")}
    # the layers' kernels of every subject: each feature chunk read once from the stores
    subsets_by_layer: dict[str, dict[str, np.ndarray | None]] = {}
    for c in regions:
        subsets_by_layer.setdefault(params.layer(model, c), {"all": None}).update(
            {f"{c}/{k}": m for k, m in masks[c].items()})
    kernels: dict[str, dict[int, dict[str, np.ndarray]]] = {}
    for layer, subsets in subsets_by_layer.items():
        with h5py.File(paths.activations(model, paths.NSD_OWN_SET), "r") as fo, \
                h5py.File(paths.activations(model, paths.NSD_SHARED_SET), "r") as fs:
            kernels[layer] = linear_kernels([fo[layer]["units"], fs[layer]["units"]], groups,
                                            subsets, device=device)
    out = []
    for s in tqdm(subjects, desc=f"encode {model}", leave=False):
        kern = {layer: by_subject[s.number] for layer, by_subject in kernels.items()}
        for c, region in regions.items():
            contrast = params.roi_definitions[region].contrast
            assert contrast is not None  # a main region (params.main_region) has one
            target = _targets(s, region, table, params.threshold, contrast, stores)
            if target is None:
                excluded.append({"model": model, "region": region, "subject": s.number,
                                 "reason": _NO_VOXELS.format(threshold=params.threshold)})
                continue
            y, measured = target
            bp = prepare(measured, method)
            brain_profile = profile(bp, np.arange(measured.n_stimuli)) if bp else None
            k = kern[params.layer(model, c)]
            n_sel = int(masks[c]["selective"].sum())
            sets = {("all", 0): k["all"]}
            if not n_sel:
                excluded.append({"model": model, "region": region, "subject": s.number,
                                 "reason": f"no {c}-selective unit in {params.layer(model, c)}"
                                           f" at threshold {threshold}: only the whole layer "
                                           "is fitted (necessity and sufficiency undefined)"})
            else:
                sets = voxelwise.feature_kernels(
                    k["all"], k[f"{c}/selective"],
                    [k[f"{c}/random{j + 1}"] for j in range(enc.random_sets)])
            for name, kk in insil.get(c, {}).get(s.number, {}).items():
                base, _, draw = name.partition("insilico_random_lesioned")
                sets[("insilico_random_lesioned", int(draw)) if draw else (name, 0)] = kk
            n_units = {"all": len(masks[c]["selective"]), "selective": n_sel,
                       "lesioned": len(masks[c]["selective"]) - n_sel, "random_only": n_sel,
                       "random_lesioned": len(masks[c]["selective"]) - n_sel}
            key = {"model": model, "region": region, "category": c, "subject": s.number,
                   "layer": params.layer(model, c)}
            n_train = len(y)
            out += _fit_rows(sets, n_train, y, measured, brain_profile, method, model,
                             enc.relative_alphas, device, key, n_units)
            # negative control: every image (training and test) gets another image's features
            perm = seeds.stream(enc.seed, "negative-control", model, region,
                                str(s.number)).permutation(len(k["all"]))
            out += _fit_rows({("shuffled_images", 0): k["all"][np.ix_(perm, perm)]}, n_train,
                             y, measured, brain_profile, method, model, enc.relative_alphas,
                             device, key, n_units)
    return out


def positive_control(params: config.Params, regions: dict[str, str], table: pd.DataFrame,
                     subjects: list[Subject], method: Method, device: torch.device,
                     excluded: list[dict], stores: Stores) -> list[dict]:
    """The noise-free simulated subject's voxels of the same region as the features."""
    out = []
    for c, region in regions.items():
        contrast = params.roi_definitions[region].contrast
        assert contrast is not None  # a main region (params.main_region) has one
        ctrl = stores.control(region, contrast, params.threshold, images="all")
        if ctrl is None:
            continue
        pos = pd.Series(np.arange(ctrl.n_stimuli), index=ctrl.stimuli)
        feats = ctrl.mean()
        for s in subjects:
            target = _targets(s, region, table, params.threshold, contrast, stores)
            if target is None:
                excluded.append({"model": POSITIVE_CONTROL, "region": region,
                                 "subject": s.number,
                                 "reason": _NO_VOXELS.format(threshold=params.threshold)})
                continue
            if not np.isin(np.concatenate([s.own, s.shared]),
                                             ctrl.stimuli).all():
                continue
            y, measured = target
            x = np.concatenate([feats[pos.loc[s.own].to_numpy()],
                                feats[pos.loc[s.shared].to_numpy()]])
            bp = prepare(measured, method)
            brain_profile = profile(bp, np.arange(measured.n_stimuli)) if bp else None
            key = {"model": POSITIVE_CONTROL, "region": region, "category": c,
                   "subject": s.number, "layer": region}
            out += _fit_rows({("noiseless_brain", 0): x @ x.T}, len(y), y, measured,
                             brain_profile, method, POSITIVE_CONTROL,
                             block(params).relative_alphas, device, key,
                             {"noiseless_brain": ctrl.n_channels})
    return out
