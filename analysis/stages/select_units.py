"""Category-selective units at the threshold and at an equal number of units (Finding 1;
results/network/localizer).

For every model and layer: the number of units selected by the fLoc localizer (t > threshold,
`unit_localizer.threshold_untrained` for untrained networks if set), by the conjunction
localizer and by localizer2; whether fLoc-selected units prefer their category on localizer2
more than the same selection on permuted fLoc labels (generalisation); the overlap of the two
localizers at the threshold, at equal images per category and for equal-size top-k sets, each
against chance; and the category profile of the fLoc-selected units on localizer2.

Finding 1's decision is comparative (analysis.stats.localizer_comparative): every network's
top-`unit_localizer.top_k` units (equal k for all networks) give its generalisation t and its
localizer overlap, each compared with the matched untrained networks (same architecture and
preprocessing, other seeds; for an untrained network the other untrained seeds), with a paired
image bootstrap of both sets (`unit_localizer.bootstrap_draws`; the same draws for every
network of a preprocessing) and the seeds' spread. Random numbers come from one stream per
model/layer/category (`unit_localizer.seed`) and one per image set for the bootstrap.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, unit_store
from analysis.io.stimulus_sets import localizer_domains
from analysis.methods.localizer import generalisation, subsampled_category_t
from analysis.methods.standardize import zscore_columns
from analysis.report.localizer_summary import summary
from analysis.selection import above
from analysis.stats.localizer_comparative import (
    compare_networks,
    stratified_bootstrap_weights,
    top_k_generalisation,
)
from analysis.stats.localizer_tables import (
    category_profile,
    count,
    equal_k_overlap,
    matched_overlap,
    overlap,
    top_k_overlap_test,
)

TABLES = ("counts", "generalisation", "venn", "profiles")
PROFILE_COLUMNS = ["model", "display", "trained", "seed", "threshold", "layer", "selected_for",
                   "image_category", "mean_z"]


def select_model(model: str, params: config.Params
                 ) -> tuple[dict[str, list[dict]], dict[tuple[str, str, str], np.ndarray]]:
    """The rows of every table (TABLES) for one model, and the bootstrap replicates of its
    equal-k generalisation t: (model, layer, category) -> (bootstrap_draws,)."""
    meta = activation_store.info(model)
    thr = params.unit_threshold(meta["trained"])
    ul = params.unit_localizer
    pre = params.zoo[model].preprocessing
    assert pre is not None  # config: every model in `models` has one
    floc = activation_store.index("floc", pre)["domain"].to_numpy()
    loc2 = activation_store.index("localizer2", pre)["domain"].to_numpy()
    floc_domains, loc2_domains = localizer_domains(floc), localizer_domains(loc2)
    tested = [c for c in floc_domains if c in loc2_domains]
    loc2_per_category = min(int((loc2 == c).sum()) for c in loc2_domains)
    w1, w2 = (image_weights(name, labels, pre, ul) for name, labels in
              (("floc", floc), ("localizer2", loc2)))
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    replicates: dict[tuple[str, str, str], np.ndarray] = {}
    base = {"model": model, "display": meta["display"], "trained": meta["trained"],
            "seed": meta["seed"], "threshold": thr}
    for lay in meta["layers"]:
        x1 = activation_store.layer(model, "floc", lay)
        x2 = activation_store.layer(model, "localizer2", lay)
        z2 = zscore_columns(x2)
        t_equal_k = top_k_generalisation(x1, floc, floc_domains, x2, loc2, tested, ul.top_k,
                                         w1, w2)
        for cat in floc_domains:
            t1 = unit_store.t_values(model, lay, "floc", cat)
            sel = {"floc": above(t1, thr),
                   "floc_conjunction": unit_store.conjunction(model, lay, cat)}
            if cat in loc2_domains:
                t2 = unit_store.t_values(model, lay, "localizer2", cat)
                sel["localizer2"] = above(t2, thr)
            for name, mask in sel.items():
                rows["counts"].append({**base, "layer": lay, "localizer": name, "category": cat,
                                       **count(mask)})
            if cat not in loc2_domains:
                continue
            key = {**base, "layer": lay, "category": cat}
            replicates[model, lay, cat] = t_equal_k[cat][1:]
            rows["generalisation"].append({**key, **generalisation(
                x1, floc, floc_domains, z2, loc2, cat, sel["floc"], np.isfinite(t1),
                ul.generalisation_draws,
                seeds.stream(ul.seed, "generalisation", model, lay, cat)),
                "k_equal": ul.top_k, "t_equal_k": t_equal_k[cat][0],
                "se_images_equal_k": float(np.std(t_equal_k[cat][1:], ddof=1))})
            rng = seeds.stream(ul.seed, "overlap", model, lay, cat)
            # same contrast as localizer2's: its categories, its images per category
            t1_matched = subsampled_category_t(x1, floc, cat, loc2_domains, loc2_per_category,
                                               ul.overlap_subsamples, rng)
            k = int(min(sel["floc"].sum(), sel["localizer2"].sum()))
            rows["venn"].append({**key, **overlap(sel["floc"], sel["localizer2"]),
                                 **matched_overlap(t1_matched, t2, thr),
                                 **top_k_overlap_test(t1, t2, k, x2, loc2, cat, loc2_domains,
                                                  ul.overlap_permutations, rng),
                                 **equal_k_overlap(t1, t2, ul.top_k)})
            for image_cat, z in category_profile(x2, loc2, sel["floc"], loc2_domains).items():
                rows["profiles"].append({**base, "layer": lay, "selected_for": cat,
                                         "image_category": image_cat, "mean_z": z})
    return rows, replicates


def image_weights(stim_set: str, labels: np.ndarray, preprocessing: str | None,
                  ul: config.UnitLocalizer) -> np.ndarray:
    """(1 + bootstrap_draws, n_images) image counts: the observed set (ones), then the
    replicates, resampled within each label; one stream per set and preprocessing, so every
    network that sees these images gets the same draws (paired)."""
    rng = seeds.stream(ul.seed, "image-bootstrap", stim_set, str(preprocessing))
    return np.vstack([np.ones(len(labels)),
                      stratified_bootstrap_weights(labels, ul.bootstrap_draws, rng)])


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    ul = params.unit_localizer
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    replicates: dict[tuple[str, str, str], np.ndarray] = {}
    with threadpool_limits(limits=1):  # many mid-size products: one BLAS thread is fastest
        for model in params.models:
            rows, reps = select_model(model, params)
            replicates.update(reps)
            for name, r in rows.items():
                tables[name] += r
    # a threshold that selects no unit anywhere leaves the profiles without rows, not columns
    frames = {k: pd.DataFrame(v, columns=PROFILE_COLUMNS if k == "profiles" and not v else None)
              for k, v in tables.items()}
    arch = {m: params.zoo[m].architecture() for m in params.models}
    frames["generalisation"] = compare_networks(frames["generalisation"], "t_equal_k", arch,
                                                ul.generalisation_alpha, replicates)
    frames["venn"] = compare_networks(frames["venn"], "excess_equal_k", arch, ul.overlap_alpha)
    with atomic_path(paths.LOCALIZER) as tmp:
        tmp.mkdir()
        for name, frame in frames.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_json(summary(frames, params), tmp / "summary.json")
