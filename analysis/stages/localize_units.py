"""fMRI-style localizers on network units (Finding 1), their generalisation and overlap.

For every model and layer: units selective for each fLoc domain (t > threshold), the
pairwise-conjunction localizer (BY-FDR), the same t-localizer on the second set (localizer2),
whether fLoc-selected units still prefer their category on localizer2, and the overlap of the
two unit sets. Writes data/units/<model>.h5 (masks at `threshold` and the unit t-values of
both localizers, ``<layer>/t/<localizer>/<category>``) and tables in results/network/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from analysis import activation_store as store
from analysis import config
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.localizer import above, category_t, conjunction, generalisation

UNITS = Path("data/units")
RESULTS = Path("results/network/localizer")
FLOC_DOMAINS = ["faces", "bodies", "places", "characters", "objects"]
LOC2_DOMAINS = ["faces", "bodies", "places", "objects"]
FIGURE_CATEGORIES = ["faces", "bodies", "places"]


def unit_threshold(params: dict, trained: bool) -> float:
    loc = params["unit_localizer"]
    if not trained and loc["threshold_untrained"] is not None:
        return config.check_threshold(loc["threshold_untrained"],
                                      "unit_localizer.threshold_untrained")
    return config.check_threshold(params["threshold"], "threshold")


def localize_model(model: str, params: dict, masks_out: h5py.File) -> dict[str, list]:
    entry = params["zoo"][model]
    meta = store.info(model)
    thr = unit_threshold(params, meta["trained"])
    pre = entry["preprocessing"]
    floc = store.index("floc", pre)["domain"].to_numpy()
    loc2 = store.index("localizer2", pre)["domain"].to_numpy()
    alpha = params["unit_localizer"]["conjunction_alpha"]
    rows: dict[str, list] = {"counts": [], "general": [], "venn": [], "profile": []}
    base = {"model": model, "display": meta["display"], "trained": meta["trained"],
            "seed": meta["seed"], "threshold": thr}
    for lay in meta["layers"]:
        x1 = store.layer(model, "floc", lay)
        x2 = store.layer(model, "localizer2", lay)
        t1 = category_t(x1, floc, FLOC_DOMAINS)
        t2 = category_t(x2, loc2, LOC2_DOMAINS)
        for name, ts in (("floc", t1), ("localizer2", t2)):  # for selection at any threshold
            for cat, t in ts.items():
                masks_out.create_dataset(f"{lay}/t/{name}/{cat}", data=t.astype(np.float32),
                                         track_times=False)
        for cat in FLOC_DOMAINS:
            sel = {"floc": above(t1[cat], thr),
                   "floc_conjunction": conjunction(x1, floc, cat,
                                                   [c for c in FLOC_DOMAINS if c != cat], alpha)}
            if cat in LOC2_DOMAINS:
                sel["localizer2"] = above(t2[cat], thr)
            for name, m in sel.items():
                masks_out.create_dataset(f"{lay}/{name}/{cat}", data=m, track_times=False)
                rows["counts"].append({**base, "layer": lay, "localizer": name, "category": cat,
                                       "n_units": m.size, "n_selected": int(m.sum()),
                                       "pct_selected": 100.0 * m.mean()})
            if cat in LOC2_DOMAINS:
                g = generalisation(x2, loc2, cat, sel["floc"])
                rows["general"].append({**base, "layer": lay, "category": cat, **g})
                a, b = sel["floc"], sel["localizer2"]
                union = int((a | b).sum())
                rows["venn"].append({**base, "layer": lay, "category": cat,
                                     "floc_only": int((a & ~b).sum()), "both": int((a & b).sum()),
                                     "localizer2_only": int((~a & b).sum()),
                                     "jaccard": (a & b).sum() / union if union else np.nan})
                if a.any():  # mean z-scored response of the selected units per loc2 category
                    z = x2[:, a]
                    z = (z - z.mean(0)) / np.where(z.std(0) > 0, z.std(0), 1)
                    for c2 in LOC2_DOMAINS:
                        rows["profile"].append({**base, "layer": lay, "selected_for": cat,
                                                "image_category": c2,
                                                "mean_z": float(z[loc2 == c2].mean())})
    return rows


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    tables: dict[str, list] = {"counts": [], "general": [], "venn": [], "profile": []}
    with atomic_path(UNITS) as tmp:
        tmp.mkdir()
        for model in params["models"]:
            with h5py.File(tmp / f"{model}.h5", "w") as f:
                for k, v in localize_model(model, params, f).items():
                    tables[k] += v
    frames = {k: pd.DataFrame(v) for k, v in tables.items()}
    with atomic_path(RESULTS) as tmp:
        tmp.mkdir()
        write_csv(frames["counts"], tmp / "counts.csv")
        write_csv(frames["general"], tmp / "generalisation.csv")
        write_csv(frames["venn"], tmp / "venn.csv")
        write_csv(frames["profile"], tmp / "profiles.csv")
        write_json(summary(frames, params), tmp / "summary.json")


def summary(frames: dict[str, pd.DataFrame], params: dict) -> dict:
    """Key numbers: % selective units in each model's last read layer, trained vs untrained,
    and whether fLoc-selected units generalise (p < alpha) to localizer2."""
    c = frames["counts"]
    last = {m: params["zoo"][m].get("read", list(params["zoo"][m]["layers"].values()))[-1]
            for m in params["models"]}
    c = c[(c["localizer"] == "floc") & (c["layer"] == c["model"].map(last))]
    out: dict = {"threshold": params["threshold"], "last_layer": last}
    for trained, g in c.groupby("trained"):
        key = "trained" if trained else "untrained"
        out[f"pct_selected_last_layer_{key}"] = {
            cat: float(g[g["category"] == cat]["pct_selected"].mean())
            for cat in FIGURE_CATEGORIES}
    gen = frames["general"]
    gen = gen[gen["layer"] == gen["model"].map(last)]
    alpha = params["unit_localizer"]["generalisation_alpha"]
    out["generalises_last_layer"] = {
        f"{r.model}/{r.category}": {"n_units": int(r.n_units), "t": _num(r.t), "p": _sci(r.p),
                                    "generalises": bool(r.p < alpha) if r.n_units else False}
        for r in gen.itertuples() if r.category in FIGURE_CATEGORIES}
    return out


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 6)


def _sci(p: float) -> str | None:
    """p-values as strings in scientific notation (DVC's display would round them to 0)."""
    return None if not np.isfinite(p) else f"{p:.3e}"
