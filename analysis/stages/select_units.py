"""Category-selective units at the threshold (Finding 1; results/network/localizer).

For every model and layer: the number of units selected by the fLoc localizer (t > threshold,
`unit_localizer.threshold_untrained` for untrained networks if set), by the conjunction
localizer and by localizer2; whether fLoc-selected units still prefer their category on
localizer2 (generalisation); the overlap of the two localizers; and the category profile of the
fLoc-selected units on localizer2.
"""

from __future__ import annotations

import argparse

import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, unit_store
from analysis.io.stimulus_sets import localizer_domains
from analysis.report.format import number, p_value
from analysis.stats.localizer import generalisation
from analysis.stats.localizer_tables import category_profile, count, overlap
from analysis.stats.selection import above

TABLES = ("counts", "generalisation", "venn", "profiles")


def select_model(model: str, params: config.Params) -> dict[str, list[dict]]:
    meta = activation_store.info(model)
    thr = params.unit_threshold(meta["trained"])
    pre = params.zoo[model].preprocessing
    floc = activation_store.index("floc", pre)["domain"].to_numpy()
    loc2 = activation_store.index("localizer2", pre)["domain"].to_numpy()
    floc_domains, loc2_domains = localizer_domains(floc), localizer_domains(loc2)
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    base = {"model": model, "display": meta["display"], "trained": meta["trained"],
            "seed": meta["seed"], "threshold": thr}
    for lay in meta["layers"]:
        x2 = activation_store.layer(model, "localizer2", lay)
        for cat in floc_domains:
            sel = {"floc": above(unit_store.t_values(model, lay, "floc", cat), thr),
                   "floc_conjunction": unit_store.conjunction(model, lay, cat)}
            if cat in loc2_domains:
                sel["localizer2"] = above(unit_store.t_values(model, lay, "localizer2", cat), thr)
            for name, mask in sel.items():
                rows["counts"].append({**base, "layer": lay, "localizer": name, "category": cat,
                                       **count(mask)})
            if cat not in loc2_domains:
                continue
            key = {**base, "layer": lay, "category": cat}
            rows["generalisation"].append({**key, **generalisation(x2, loc2, cat, sel["floc"])})
            rows["venn"].append({**key, **overlap(sel["floc"], sel["localizer2"])})
            for image_cat, z in category_profile(x2, loc2, sel["floc"], loc2_domains).items():
                rows["profiles"].append({**base, "layer": lay, "selected_for": cat,
                                         "image_category": image_cat, "mean_z": z})
    return rows


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    for model in params.models:
        for name, rows in select_model(model, params).items():
            tables[name] += rows
    frames = {k: pd.DataFrame(v) for k, v in tables.items()}
    with atomic_path(paths.LOCALIZER) as tmp:
        tmp.mkdir()
        for name, frame in frames.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_json(summary(frames, params), tmp / "summary.json")


def summary(frames: dict[str, pd.DataFrame], params: config.Params) -> dict:
    """Key numbers: % selective units in each model's last read layer, trained vs untrained,
    and whether fLoc-selected units generalise (p < alpha) to localizer2."""
    last = {m: params.zoo[m].layers_to_read()[-1] for m in params.models}
    c = frames["counts"]
    c = c[(c["localizer"] == "floc") & (c["layer"] == c["model"].map(last))]
    out: dict = {"threshold": params.threshold, "last_layer": last}
    for trained, g in c.groupby("trained"):
        key = "trained" if trained else "untrained"
        out[f"pct_selected_last_layer_{key}"] = {
            cat: float(g[g["category"] == cat]["pct_selected"].mean())
            for cat in params.categories}
    gen = frames["generalisation"]
    gen = gen[gen["layer"] == gen["model"].map(last)]
    alpha = params.unit_localizer.generalisation_alpha
    out["generalises_last_layer"] = {
        f"{r.model}/{r.category}": {"n_units": int(r.n_units), "t": number(r.t),
                                    "p": p_value(r.p),
                                    "generalises": bool(r.p < alpha) if r.n_units else False}
        for r in gen.itertuples() if r.category in params.categories}
    return out
