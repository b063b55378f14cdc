"""Supplementary: the multivariate comparison on the real 92-image human-IT RDMs
(results/rsa92): human-human (noise-corrected) against human-network, for every network,
layer, all units and the category-selective units (fLoc localizer, `threshold`). Reported: HN at
each network's pre-specified layer per category (the zoo's), and a best layer chosen on one
session's RDMs and scored on the other's; never the best variant scored on the data that chose
it. Writes similarities.csv (every pair, two-session mean RDMs), crossval.csv (the layer chosen
per model, unit set and session) and summary.json. Without the set in `supplementary_sets` the
stage records that it did not run, and why (same files and keys, empty)."""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, unit_store
from analysis.methods.profiles import rdm, standardized_channels
from analysis.report.format import number
from analysis.responses import NetworkId, Selection, as_network
from analysis.stats.comparison import MIN_FEATURES, ratio_of_means
from analysis.stats.rsa92 import (
    VARIANT,
    compare,
    crossval_layers,
    crossval_scores,
    group_means,
    hn_means,
    human_reliability,
    layer_agreement,
    load_human_rdms,
    prespecified,
    session_reliability,
)

SET = "kriegeskorte92"


def network_rdms(params: config.Params) -> tuple[list[tuple[NetworkId, np.ndarray]], list[dict]]:
    """The condensed RDM of every model, layer read and unit set (all units; each category's
    selective units where at least MIN_FEATURES), and the unit count of every variant."""
    nets: list[tuple[NetworkId, np.ndarray]] = []
    selected: list[dict] = []
    for m in params.models:
        entry = params.zoo[m]
        assert entry.preprocessing is not None  # config: every model in `models` has one
        thr = params.unit_threshold(entry.trained)
        for layer in activation_store.info(m)["layers"]:
            everything = activation_store.layer_responses(m, SET, layer, entry.preprocessing)
            net = as_network(everything.system)
            nets.append((net, rdm(standardized_channels(everything.mean()))))
            selected.append({"model": m, "trained": entry.trained, "layer": layer,
                             "units": "all", "n": everything.n_channels})
            for cat in params.categories:
                selection = Selection("floc", cat, thr)
                mask = unit_store.selected(m, layer, selection)
                if mask.sum() >= MIN_FEATURES:
                    system = replace(net, selection=selection)
                    nets.append((system,
                                 rdm(standardized_channels(everything.take(mask).mean()))))
                selected.append({"model": m, "trained": entry.trained, "layer": layer,
                                 "units": cat, "n": int(mask.sum())})
    return nets, selected


def _numbers(groups: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    return {g: {k: number(v) for k, v in d.items()} for g, d in groups.items()}


def summary(humans: dict[str, np.ndarray], table: pd.DataFrame, pre: pd.DataFrame,
            folds: pd.DataFrame, selected: list[dict]) -> dict:
    """summary.json (less status and reason) from the human RDMs, the pair table, the
    pre-specified layers' HN (stats.rsa92.prespecified) and the session folds
    (stats.rsa92.crossval_layers). Keys: prespecified_hn 'model/category/all|selected';
    crossval_hn and crossval_layers (chosen on session 1, on session 2) 'model/units'; the
    *_mean keys {trained|untrained: {all|selected: mean over models}}; crossval_same_layer
    {trained|untrained: [model-unit sets choosing one layer on both sessions, all]}. HH: the
    ratio of means over subject pairs (and the range of the pairs' corrected values)."""
    hh_pairs = table[table["kind"] == "hh"]
    hh = hh_pairs["r_corrected"]
    cv = crossval_scores(folds)
    return {
        "human_reliability": {s: number(human_reliability(v)) for s, v in humans.items()},
        "human_session_reliability": {s: number(session_reliability(v))
                                      for s, v in humans.items()},
        "hh_mean_corrected": number(ratio_of_means(hh_pairs["r"], hh_pairs["norm"])
                                    if len(hh_pairs) else float("nan")),
        "hh_range": [number(hh.min()), number(hh.max())],
        "prespecified_layers": {m: dict(zip(g["category"], g["layer"], strict=True))
                                for m, g in pre.groupby("model", sort=False)},
        "prespecified_hn": {f"{r.model}/{r.category}/{r.units}": number(r.hn)
                            for r in pre.itertuples()},
        "prespecified_mean": _numbers(group_means(pre)),
        "crossval_hn": {f"{r.model}/{r.units}": number(r.hn) for r in cv.itertuples()},
        "crossval_layers": {f"{r.model}/{r.units}": r.layers for r in cv.itertuples()},
        "crossval_mean": _numbers(group_means(cv)),
        "crossval_same_layer": layer_agreement(cv),
        "selected_units": selected,
    }


def _write(status: str, reason: str, table: pd.DataFrame, folds: pd.DataFrame,
           content: dict) -> None:
    with atomic_path(paths.RSA92) as tmp:
        tmp.mkdir()
        write_csv(table, tmp / "similarities.csv")
        write_csv(folds, tmp / "crossval.csv")
        write_json({"status": status, "reason": reason, **content}, tmp / "summary.json")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    if SET not in params.supplementary_sets:
        table = pd.DataFrame(columns=["kind", "measure", "r", "norm", "r_corrected"])
        none = pd.DataFrame(columns=[*VARIANT, "hn"])
        pre, folds = prespecified(none, {}), crossval_layers((none, none))
        _write("not run", f"{SET} is not in supplementary_sets", table, folds,
               summary({}, table, pre, folds, []))
        return
    humans = load_human_rdms(paths.stimulus_set(SET))
    nets, selected = network_rdms(params)
    similarity = params.comparison.rdm_similarity
    table = compare(humans, nets, similarity)
    layers = {m: {c: params.layer(m, c) for c in params.categories} for m in params.models}
    pre = prespecified(hn_means(table), layers)
    folds = crossval_layers(tuple(hn_means(compare(humans, nets, similarity, session=s))
                                  for s in (0, 1)))
    _write("ok", "", table, folds, summary(humans, table, pre, folds, selected))
