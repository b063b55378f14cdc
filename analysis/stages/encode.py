"""Voxel-wise encoding models: are a layer's category-selective units necessary or sufficient
to predict the brain? (Finding 4, Figure 5.)

For every trained network, subject and main region (FFA, EBA, PPA): kernel ridge models (alpha
per voxel by leave-one-out, analysis.stats.ridge) trained on the subject's own images and tested
on the shared images, from the category's layer with every unit, without the selective units,
with only them, and with random unit sets of the same size removed or kept
(analysis.stats.encoding); from a later layer with the selective (or random) units silenced in
the forward pass (in-silico lesion, analysis.nets.insilico); and the controls: a noise-free
simulated brain as the features (positive; where the tier has one) and the network with the
images shuffled (negative: every image gets another image's features). Accuracy per voxel (r,
normalised by NSD's noise ceiling) and per region (univariate and multivariate, with the
comparison's RDM distance, noise-corrected as in the comparison). Kernels are accumulated over
feature chunks from the float16 store (analysis.stats.kernels). Writes results/encoding/
(accuracy.csv, summary.json).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import h5py
import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError
from analysis.io import activation_store, brain_store, control_brain, unit_store
from analysis.nets import insilico, zoo
from analysis.nets.extraction import resolve_device
from analysis.nets.preprocess import check_model_config
from analysis.report.format import number, p_value
from analysis.responses import NetworkId, Responses, Selection
from analysis.selection import above
from analysis.stats import encoding
from analysis.stats.comparison import (
    Method,
    comparison_method,
    prepare,
    profile,
    similarity,
)
from analysis.stats.kernels import linear_kernels

#: Accuracy measures summarised (columns of accuracy.csv).
MEASURES = ("voxel_r_normalised", "univariate_rc", "multivariate_rc")
#: In-silico feature sets, named as the layer's sets they mirror.
INSILICO = {"insilico_intact": "all", "insilico_lesioned": "lesioned",
            "insilico_random_lesioned": "random_lesioned"}
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


def _subject(s: int) -> Subject:
    with h5py.File(paths.PREPARED_BRAIN / paths.brain_store(s).name, "r") as f:
        own = f["images/own"][()]
        shown = ~np.isnan(f["responses/own"][0]).all(axis=1) if len(own) else np.zeros(0, bool)
        return Subject(s, own[shown], f["images/shared"][()])


def _rows(index: pd.DataFrame, ids: np.ndarray, what: str) -> np.ndarray:
    pos = pd.Series(np.arange(len(index)), index=index["nsd_id"].to_numpy())
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
    vox = encoding.voxel_accuracy(pred, measured.data)
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


def insilico_kernels(params: config.Params, model: str, layer: str,
                     lesions: dict[str, np.ndarray | None], groups: dict[int, list[np.ndarray]],
                     device: torch.device) -> tuple[dict[int, dict[str, np.ndarray]], str]:
    """Per subject, kernels of the read-out layer for each lesion; and the silencing method.
    groups: subject -> [own rows, shared rows] in the activation stores."""
    entry = params.zoo[model]
    readout = params.encoding.insilico_readout
    assert entry.preprocessing is not None  # config: every model in `models` has one
    assert readout is not None  # only called with encoding.insilico_readout set
    net = zoo.build(model, entry).to(device).eval()
    cfg = check_model_config(net, params.preprocessing[entry.preprocessing], model)
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
                device, params.encoding.insilico_pool), total=len(lesions),
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
    method = comparison_method(params.comparison)
    device = resolve_device(params.extraction.device)
    regions = {c: r for c in params.categories if (r := params.main_region(c)) is not None}
    table = pd.read_csv(paths.SELECTED_VOXELS / "voxels.csv")
    subjects = [_subject(s) for s in params.subjects]
    rows: list[dict] = []
    excluded: list[dict] = []
    silencing: dict[str, str] = {}
    for model in params.trained_models():
        rows += encode_model(params, model, regions, table, subjects, method, device, silencing,
                             excluded)
    rows += positive_control(params, regions, table, subjects, method, device, excluded)
    acc = pd.DataFrame(rows, columns=ACCURACY_COLUMNS)
    excluded_table = pd.DataFrame(excluded, columns=["model", "region", "subject", "reason"])
    with atomic_path(paths.ENCODING) as tmp:
        tmp.mkdir()
        write_csv(acc, tmp / "accuracy.csv")
        write_csv(excluded_table, tmp / "excluded.csv")
        write_json(summary(acc, params, silencing) | {"excluded": len(excluded_table)},
                   tmp / "summary.json")


def _fit_rows(kernels: dict[tuple[str, int], np.ndarray], n_train: int, y: np.ndarray,
              measured: Responses, brain_profile, method: Method, model: str,
              relative_alphas: list[float], device: torch.device, key: dict,
              n_units: dict[str, int]) -> list[dict]:
    out = []
    for (name, draw), k in kernels.items():
        pred, alpha = encoding.fit_predict(k, n_train, y, relative_alphas, str(device))
        out.append(key | {"feature_set": name, "draw": draw, "n_units": n_units.get(name, -1),
                          "n_train": n_train, "n_test": measured.n_stimuli,
                          "n_voxels": measured.n_channels,
                          "alpha_relative_median": float(np.median(alpha))}
                   | evaluate(pred, measured, brain_profile, method, model))
    return out


def _targets(s: Subject, region: str, table: pd.DataFrame, threshold: float, contrast: str
             ) -> tuple[np.ndarray, Responses] | None:
    vox = _voxels(table, s.number, region)
    if len(vox) == 0:
        return None
    sel = Selection("fLOC", contrast, threshold)
    own = brain_store.responses(s.number, region, vox, sel, images="own")
    keep = np.isin(own.stimuli, s.own)
    y = np.nanmean(own.data[keep], axis=2)
    return y, brain_store.responses(s.number, region, vox, sel)


def encode_model(params: config.Params, model: str, regions: dict[str, str],
                 table: pd.DataFrame, subjects: list[Subject], method: Method,
                 device: torch.device, silencing: dict[str, str], excluded: list[dict]
                 ) -> list[dict]:
    """Every feature set of one trained network, for every subject and main region; a
    subject and region without a selected voxel, or a region without a selective unit
    (necessity and sufficiency undefined), is appended to ``excluded`` with the reason."""
    enc = params.encoding
    entry = params.zoo[model]
    assert entry.preprocessing is not None  # config: every model in `models` has one
    threshold = params.unit_threshold(True)
    index = {name: activation_store.index(name, entry.preprocessing)
             for name in (paths.NSD_OWN_SET, paths.NSD_SHARED_SET)}
    masks: dict[str, dict[str, np.ndarray]] = {}
    for c in regions:
        layer = params.layer(model, c)
        sel = above(unit_store.t_values(model, layer, "floc", c), threshold)
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
            lesioned, silencing[f"{model}/{layer}"] = insilico_kernels(
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
            target = _targets(s, region, table, params.threshold, contrast)
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
                sets = encoding.feature_kernels(
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
                     excluded: list[dict]) -> list[dict]:
    """The noise-free simulated subject's voxels of the same region as the features."""
    out = []
    for c, region in regions.items():
        contrast = params.roi_definitions[region].contrast
        assert contrast is not None  # a main region (params.main_region) has one
        ctrl = control_brain.responses(region, contrast, params.threshold, images="all")
        if ctrl is None:
            continue
        pos = pd.Series(np.arange(ctrl.n_stimuli), index=ctrl.stimuli)
        feats = ctrl.mean()
        for s in subjects:
            target = _targets(s, region, table, params.threshold, contrast)
            if target is None:
                excluded.append({"model": control_brain.POSITIVE, "region": region,
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
            key = {"model": control_brain.POSITIVE, "region": region, "category": c,
                   "subject": s.number, "layer": region}
            out += _fit_rows({("noiseless_brain", 0): x @ x.T}, len(y), y, measured,
                             brain_profile, method, control_brain.POSITIVE,
                             params.encoding.relative_alphas, device, key,
                             {"noiseless_brain": ctrl.n_channels})
    return out


def _block(acc: pd.DataFrame, alpha: float, smallest_effect_share: float) -> dict:
    """Necessity/sufficiency of one model (or the pooled models) and region, per measure."""
    out = {}
    main = acc[acc["feature_set"].isin(encoding.MAIN_SETS + encoding.CONTROL_SETS)]
    insil = acc[acc["feature_set"].isin(INSILICO)].replace({"feature_set": INSILICO})
    for m in MEASURES:
        entry: dict[str, Any] = {
            "layer": encoding.necessity_sufficiency(main, m, smallest_effect_share)}
        entry["layer"] |= encoding.verdict(entry["layer"], alpha)
        if len(insil):
            entry["insilico"] = encoding.necessity_sufficiency(insil, m, smallest_effect_share)
            entry["insilico"] |= encoding.verdict(entry["insilico"], alpha)
        neg = acc[acc["feature_set"] == "shuffled_images"][m]
        entry["negative_control_mean"] = float(neg.mean()) if len(neg) else float("nan")
        out[m] = entry
    return out


def summary(acc: pd.DataFrame, params: config.Params, silencing: dict[str, str]) -> dict:
    """Per model and for the trained models pooled (per subject, the mean over models; random
    set j pooled over models as one draw), per region and measure: mean accuracy of every
    feature set, necessity and sufficiency with their tests (draw-permutation p, the subjects'
    t as a description, the equivalence test of "not needed") and verdicts; the controls."""
    alpha, smallest = params.encoding.alpha, params.encoding.smallest_effect_share
    trained = params.trained_models()
    out: dict = {"alpha": alpha, "smallest_effect_share": smallest, "models": trained,
                 "silencing": silencing,
                 "random_sets": params.encoding.random_sets,
                 "insilico_readout": params.encoding.insilico_readout,
                 "insilico_pool": params.encoding.insilico_pool,
                 "pooled": "trained models only (per subject, the mean over models)",
                 "by_model": {}, "pooled_trained": {}, "positive_control": {}}
    nets = acc[acc["model"].isin(trained)]
    for (model, region), g in nets.groupby(["model", "region"], sort=False):
        out["by_model"].setdefault(model, {})[region] = _block(g, alpha, smallest)
    keys = ["region", "subject", "feature_set", "draw"]
    pooled = nets.groupby(keys, sort=False)[list(MEASURES)].mean().reset_index()
    for region, g in pooled.groupby("region", sort=False):
        out["pooled_trained"][region] = _block(g, alpha, smallest)
    pos = acc[acc["model"] == control_brain.POSITIVE]
    for region, g in pos.groupby("region", sort=False):
        out["positive_control"][region] = {m: float(g[m].mean()) for m in MEASURES}
    return _format(out)


def _format(obj):
    """Numbers rounded for the results file (p-values as strings, as elsewhere)."""
    if isinstance(obj, dict):
        return {k: (p_value(v) if k.endswith(("_p", "_p_subjects")) else _format(v))
                for k, v in obj.items()}
    if isinstance(obj, float):
        return number(obj)
    return obj
