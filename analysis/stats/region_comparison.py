"""One region's human-human vs human-network comparison (Findings 2-3), from loaded responses.

For the region's subjects (selected voxels) and networks (selected units of the category): the
pair table with the published layers and with cross-validated layers, and per layer choice and
measure the mean corrected HH and HN similarity, their gap, the bootstrap interval and p-value
of the gap (published layers) and the disjoint-pair t-test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.responses import Responses
from analysis.stats.comparison import (
    MEASURES,
    bootstrap_gap,
    gap,
    hn_by_model,
    network_groups,
    prepare,
    profile,
    restrict,
    similarities,
)
from analysis.stats.inference import bootstrap_summary, disjoint_pairs, pair_tests
from analysis.stats.layer_choice import cross_validated, halves
from analysis.stats.missing import mean_observed
from analysis.stats.reliability import ncsnr_reliability


@dataclass(frozen=True)
class RegionComparison:
    similarities: pd.DataFrame  # pair tables of both layer choices (column layer_choice)
    stats: pd.DataFrame         # one row per layer choice and measure
    chosen_layers: pd.DataFrame  # cross-validated layer per fold, model and measure


def reliability(r: Responses, rdm_distance: str = "crossval_euclidean") -> dict[str, float]:
    """A subject's selected voxels: count, split-half (Spearman-Brown) and NSD-ncsnr
    reliability of the univariate profile, extrapolated RDM reliability (all images)."""
    prepared = prepare(r, rdm_distance)
    p = profile(prepared, np.arange(r.n_stimuli)) if prepared else None
    return {"n_voxels": r.n_channels,
            "rel_univariate_split_half": p.rel_univariate if p else np.nan,
            "rel_univariate_ncsnr": ncsnr_reliability(mean_observed(r.data, axis=1))
            if r.n_channels else np.nan,
            "rel_multivariate": p.rel_multivariate if p else np.nan}


def summarise(sim: pd.DataFrame, groups: dict[str, tuple[str, ...]],
              boot: dict[str, pd.DataFrame] | None, ci_level: float) -> list[dict]:
    """Per network group (see comparison.network_groups) and measure: mean corrected HH, HN
    (mean over the group's models of each model's mean), gap, counts, bootstrap summary (if
    ``boot``) and the disjoint-pair test on the group's HN pairs."""
    rows = []
    for name, models in groups.items():
        part = restrict(sim, models)
        g = gap(part)
        tests = pair_tests(disjoint_pairs(part)).set_index("measure")
        by_model = hn_by_model(part)
        for measure in MEASURES:
            k = part[part["measure"] == measure].groupby("kind")["r_corrected"]
            hn = by_model.loc[measure].mean() if measure in by_model.index else np.nan
            row = {"networks": name, "n_models": len(models), "measure": measure,
                   "hh_mean": k.mean().get("hh", np.nan), "hn_mean": hn, "gap": g[measure],
                   "n_hh": int(k.count().get("hh", 0)), "n_hn": int(k.count().get("hn", 0))}
            if boot is not None:
                row.update(bootstrap_summary(boot[name][measure], ci_level))
            row.update({c: tests.loc[measure, c] if measure in tests.index else np.nan
                        for c in ("n_pairs", "t", "df", "p_t", "cohen_d")})
            rows.append(row)
    return rows


def compare_region(brains: list[Responses], nets: list[Responses],
                   nets_by_layer: dict[str, dict[str, Responses]], n_boot: int,
                   ci_level: float, rdm_method: str, boot_rng: np.random.Generator,
                   cv_rng: np.random.Generator, model_rng: np.random.Generator,
                   rdm_distance: str = "crossval_euclidean") -> RegionComparison:
    """brains: each subject's selected voxels (ordered by subject); nets: each network's
    selected units in its published layer; nets_by_layer: model -> layer -> selected units of
    every read layer (for the cross-validated choice). Stats per network group: each model,
    trained models pooled, untrained models pooled."""
    n_img = brains[0].n_stimuli
    groups = network_groups([n.system for n in nets])
    sims = {"published": similarities(brains, nets, np.arange(n_img), rdm_method,
                                      rdm_distance)}
    sims["cv"], chosen = cross_validated(brains, nets_by_layer, halves(n_img, cv_rng),
                                         rdm_method, rdm_distance)
    boot = bootstrap_gap(brains, nets, n_img, n_boot, boot_rng, rdm_method, model_rng,
                         rdm_distance)
    stats = [{"layer_choice": choice, **row}
             for choice, sim in sims.items()
             for row in summarise(sim, groups, boot if choice == "published" else None,
                                  ci_level)]
    table = pd.concat([s.assign(layer_choice=c) for c, s in sims.items()], ignore_index=True)
    return RegionComparison(table, pd.DataFrame(stats), chosen)


def with_distance(brains: list[Responses], nets: list[Responses], rdm_method: str,
                  rdm_distance: str) -> pd.DataFrame:
    """The multivariate comparison (published layers, all images, no bootstrap) with another
    RDM distance, per network group: to show the paper's correlation distance beside the
    unbiased default. Columns as the stats table's point estimates."""
    sim = similarities(brains, nets, np.arange(brains[0].n_stimuli), rdm_method, rdm_distance)
    sim = sim[sim["measure"] == "multivariate"]
    rows = summarise(sim, network_groups([n.system for n in nets]), None, 0.95)
    keep = ["networks", "n_models", "measure", "hh_mean", "hn_mean", "gap", "n_hh", "n_hn"]
    return pd.DataFrame([{k: r[k] for k in keep} for r in rows
                         if r["measure"] == "multivariate"]).assign(rdm_distance=rdm_distance)
