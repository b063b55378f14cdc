"""Human-human vs human-network similarity of category-selective responses (Findings 2-3).

For each region (FFA, OFA: face units; EBA, FBA: body units; PPA, OPA: scene units): the
selected voxels of every subject (data/selected) and the selected units of every network
(data/units, fLoc localizer) on the shared images; univariate and multivariate profiles;
noise-corrected HH and HN similarity; bootstrap over images and subjects; disjoint-pair tests.
Network layer: the zoo's published layer per category, and a cross-validated choice (chosen
on one half of the images, scored on the other, both ways). Writes results/comparison/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import brain_data, config, zoo
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.comparison import (MEASURES, bootstrap_gap, brain_profile, gap, similarities)
from analysis.comparison_stats import bootstrap_summary, disjoint_pairs, pair_tests
from analysis.reliability import ncsnr_reliability
from analysis.stages.select_voxels import OUT as SELECTED

OUT = Path("results/comparison")


def load_brains(params: dict, roi: str) -> dict[int, np.ndarray]:
    sel = pd.read_csv(SELECTED / "voxels.csv")
    return {s: brain_data.responses_of(s, sel[(sel["subject"] == s) & (sel["roi"] == roi)]
                                       ["voxel"].to_numpy()) for s in params["subjects"]}


def load_nets(params: dict, category: str, layer_of) -> dict[str, np.ndarray]:
    """Selected units' activations per model, in the layer ``layer_of(model)``."""
    out = {}
    for m in params["models"]:
        layer = layer_of(m)
        mask = brain_data.unit_mask(m, layer, "floc", category)
        out[m] = brain_data.activations_of(m, layer)[:, mask]
    return out


def cv_layers(params: dict, brains: dict, category: str, rng: np.random.Generator
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Layer chosen on one half of the images and scored on the other (both ways).

    Returns the held-out similarity table (HH and HN on the evaluation halves, averaged over
    the two folds) and the chosen layers."""
    method = params["comparison"]["rdm_similarity"]
    n_img = next(iter(brains.values())).shape[1]
    perm = rng.permutation(n_img)
    halves = [np.sort(perm[: n_img // 2]), np.sort(perm[n_img // 2:])]
    sims, chosen = [], []
    for fold, (sel, ev) in enumerate((halves, halves[::-1])):
        for m in params["models"]:
            layers = zoo.layers_to_read(params["zoo"][m])
            acts = {lay: brain_data.activations_of(m, lay)[
                :, brain_data.unit_mask(m, lay, "floc", category)] for lay in layers}
            for measure in MEASURES:
                score = {}
                for lay, a in acts.items():
                    s = similarities(brains, {m: a}, sel, method)
                    s = s[(s["kind"] == "hn") & (s["measure"] == measure)]
                    score[lay] = s["r_corrected"].mean() if len(s) else -np.inf
                best = max(score, key=lambda k: (np.nan_to_num(score[k], nan=-np.inf), k))
                chosen.append({"fold": fold, "model": m, "category": category,
                               "measure": measure, "layer": best})
                s = similarities(brains, {m: acts[best]}, ev, method)
                sims.append(s[(s["kind"] == "hn") & (s["measure"] == measure)].assign(fold=fold))
        s = similarities(brains, {}, ev, method)
        sims.append(s.assign(fold=fold))
    table = (pd.concat(sims).groupby(["kind", "a", "b", "measure"], as_index=False)
             [["r", "r_corrected"]].mean())
    return table, pd.DataFrame(chosen)


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    cmp = params["comparison"]
    first = params["subjects"][0]
    ids = brain_data.shared_ids(first)
    for m in params["models"]:
        brain_data.check_same_images(ids, params["zoo"][m]["preprocessing"])
    rng = np.random.default_rng(cmp["seed"])
    all_sims, stats, rel, chosen = [], [], [], []
    for roi, category in cmp["regions"].items():
        brains = load_brains(params, roi)
        for s, p in brains.items():
            prof = brain_profile(p, np.arange(len(ids)))
            rel.append({"subject": s, "roi": roi, "n_voxels": p.shape[0],
                        "rel_univariate_split_half": prof.rel_univariate if prof else np.nan,
                        "rel_univariate_ncsnr": ncsnr_reliability(np.nanmean(p, 0))
                        if p.shape[0] else np.nan,
                        "rel_multivariate": prof.rel_multivariate if prof else np.nan})
        nets = load_nets(params, category, lambda m: params["zoo"][m]["layers"][category])
        tables = {"published": similarities(brains, nets, np.arange(len(ids)),
                                            cmp["rdm_similarity"])}
        tables["cv"], ch = cv_layers(params, brains, category, rng)
        chosen.append(ch.assign(roi=roi))
        for choice, sim in tables.items():
            all_sims.append(sim.assign(roi=roi, category=category, layer_choice=choice))
            g = gap(sim)
            tests = pair_tests(disjoint_pairs(sim)).set_index("measure")
            boot = None
            if choice == "published":
                boot = bootstrap_gap(brains, nets, len(ids), cmp["n_boot"],
                                     int(rng.integers(2**31)), cmp["rdm_similarity"])
            for measure in MEASURES:
                k = sim[sim["measure"] == measure].groupby("kind")["r_corrected"]
                row = {"roi": roi, "category": category, "layer_choice": choice,
                       "measure": measure, "hh_mean": k.mean().get("hh", np.nan),
                       "hn_mean": k.mean().get("hn", np.nan), "gap": g[measure],
                       "n_hh": int(k.count().get("hh", 0)), "n_hn": int(k.count().get("hn", 0))}
                if boot is not None:
                    row.update(bootstrap_summary(boot[measure], cmp["ci_level"]))
                if measure in tests.index:
                    row.update({c: tests.loc[measure, c] for c in
                                ("n_pairs", "t", "df", "p_t", "cohen_d")})
                stats.append(row)
    frames = {"similarities": pd.concat(all_sims, ignore_index=True),
              "stats": pd.DataFrame(stats), "reliability": pd.DataFrame(rel),
              "cv_layers": pd.concat(chosen, ignore_index=True)}
    with atomic_path(OUT) as tmp:
        tmp.mkdir()
        for name, frame in frames.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_json(summary(frames["stats"], params), tmp / "summary.json")


def summary(stats: pd.DataFrame, params: dict) -> dict:
    """Key numbers per region and measure (published layers); p-values as strings."""
    out: dict = {"threshold": params["threshold"]}
    for r in stats[stats["layer_choice"] == "published"].itertuples():
        out[f"{r.roi}/{r.measure}"] = {
            "hh": round(float(r.hh_mean), 6), "hn": round(float(r.hn_mean), 6),
            "gap": round(float(r.gap), 6), "ci": [round(float(r.ci_low), 6),
                                                  round(float(r.ci_high), 6)],
            "p_boot": f"{r.p_boot:.3e}", "p_pairs": None if pd.isna(r.p_t) else f"{r.p_t:.3e}"}
    return out
