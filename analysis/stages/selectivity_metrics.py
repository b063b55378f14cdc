"""The metrics study: % face-selective units/kernels per layer and metric, each beside its
null floor (the % on permuted fLoc labels, on the layer's own responses), inter-metric
consistency (trained vs untrained), metric-vs-lesion rank correlation, and identity decoding
from an equal number of kernels chosen by each metric (results/network/metrics)."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import scipy.stats

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store as store
from analysis.methods.decoding import cv_accuracy, mean_ci
from analysis.stats.selectivity_metrics import (
    DPRIME_CRITERION,
    FLOOR_QUANTILE,
    FSI_CRITERION,
    METRICS,
    PAIRWISE_ALPHA,
    RANKSUM_ALPHA,
    all_metrics,
    consistency,
    equal_n,
    floor_numbers,
    floor_summary,
    null_fractions,
    top_ranked,
    zero_percent,
)
from analysis.vocabulary import AGGREGATIONS


def levels(model: str, layer: str) -> dict[str, np.ndarray]:
    """Unit activations and the three kernel summaries of a layer on fLoc."""
    out = {"unit": store.layer(model, "floc", layer, "units")}
    for agg in AGGREGATIONS:
        out[f"kernel_{agg}"] = store.layer(model, "floc", layer, f"kernel_{agg}")
    return out


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    m = params.metrics
    pct, cons, corr, dec = [], [], [], []
    lesion_layer = params.lesion_layers()
    for model in params.models:
        meta = store.info(model)
        pre = params.zoo[model].preprocessing
        assert pre is not None  # config: every model in `models` has one
        domains = store.index("floc", pre)["domain"].to_numpy()
        base = {"model": model, "trained": meta["trained"], "seed": meta["seed"]}
        for layer in meta["layers"]:
            for level, x in levels(model, layer).items():
                v = all_metrics(x, domains)
                rng = seeds.stream(m.seed, "null-floor", model, layer, level)
                null = 100 * null_fractions(x, domains, m.null_permutations, rng)
                zeros = zero_percent(x, domains)
                for i, metric in enumerate(METRICS):
                    observed = 100 * float(v[f"{metric}_selective"].mean())
                    pct.append({**base, "layer": layer, "level": level, "metric": metric,
                                "n": len(v), "pct_zero": zeros, "pct_selective": observed,
                                **floor_summary(observed, null[:, i])})
                for r in consistency(v).itertuples(index=False):
                    cons.append({**base, "layer": layer, "level": level, **r._asdict()})
                if layer == lesion_layer.get(model) and level == "kernel_l2":
                    corr += lesion_correlation(model, v, base)
                    dec += decoding(model, layer, v, pre, m, base)
    frames = {"pct_selective": pd.DataFrame(pct), "consistency": pd.DataFrame(cons),
              "lesion_correlation": pd.DataFrame(corr), "decoding": pd.DataFrame(dec)}
    with atomic_path(paths.METRICS) as tmp:
        tmp.mkdir()
        for name, frame in frames.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_json(summary(frames, m.null_permutations), tmp / "summary.json")




def lesion_correlation(model: str, v: pd.DataFrame, base: dict) -> list[dict]:
    """Spearman correlation of each metric with the lesion effect over kernels.

    Sign convention: ``spearman`` correlates the metric with the accuracy *drop* (intact -
    lesioned), so agreement between a metric and lesioning is positive. Lado & Dobs report
    FSI r = -0.29 as the closest agreement without stating their convention; correlating with
    the accuracy *after* the lesion (``spearman_lesioned_accuracy`` here) gives that sign, and
    is exactly -``spearman`` (accuracy = intact - drop, both rounded so ties are kept)."""
    path = paths.LESION / f"{model}.csv"
    if not path.is_file():
        return []
    table = pd.read_csv(path).sort_values("kernel")
    effect, accuracy = table["effect"].to_numpy(), table["accuracy"].to_numpy()
    rows = []
    for metric in METRICS:
        ok = v[metric].notna().to_numpy()
        res = scipy.stats.spearmanr(v[metric].to_numpy()[ok], effect[ok])
        after = scipy.stats.spearmanr(v[metric].to_numpy()[ok], accuracy[ok])
        rows.append({**base, "metric": metric, "spearman": float(res.statistic),
                     "p": float(res.pvalue),
                     "spearman_lesioned_accuracy": float(after.statistic),
                     "n_kernels": int(ok.sum())})
    return rows


def decoding(model: str, layer: str, v: pd.DataFrame, pre: str, m: config.Metrics, base: dict
             ) -> list[dict]:
    """Identity decoding from the top-N kernels (L2 aggregation) of each metric, equal N."""
    ids = store.index(m.identity_set, pre)["identity"].to_numpy()
    x = store.layer(model, m.identity_set, layer, "kernel_l2")
    n, n_sel = equal_n(v, m.min_decoding_kernels)
    rows = []
    for metric in METRICS:
        acc = cv_accuracy(x[:, top_ranked(v[metric], n)], ids, m.seed, m.svm_C)
        mean, lo, hi = mean_ci(acc)
        rows.append({**base, "layer": layer, "metric": metric, "n_kernels": n,
                     "min_selected_by_a_metric": n_sel, "accuracy": mean, "ci_low": lo,
                     "ci_high": hi, "chance": 1 / len(np.unique(ids))})
    return rows


def summary(frames: dict[str, pd.DataFrame], permutations: int) -> dict:
    c = frames["consistency"]
    unit = c[c["level"] == "unit"]
    mean_cons = unit.groupby(["trained", "layer"])["spearman"].mean()
    out = {"mean_inter_metric_spearman_units": {
        f"{'trained' if t else 'untrained'}/{layer}": round(float(s), 6)
        for (t, layer), s in mean_cons.items()},
        "null_floor": {"permutations": permutations, "quantile_pct": round(100 * FLOOR_QUANTILE),
                       **floor_numbers(frames["pct_selective"])},
        "criteria": {"fsi": FSI_CRITERION, "dprime": DPRIME_CRITERION,
                     "ranksum_alpha": RANKSUM_ALPHA, "pairwise_alpha": PAIRWISE_ALPHA}}
    if not frames["lesion_correlation"].empty:
        out["metric_lesion_spearman"] = {
            f"{r.model}/{r.metric}": round(r.spearman, 6)
            for r in frames["lesion_correlation"].itertuples()}
    if not frames["decoding"].empty:
        out["decoding_accuracy"] = {f"{r.model}/{r.metric}": round(r.accuracy, 6)
                                    for r in frames["decoding"].itertuples()}
    return out
