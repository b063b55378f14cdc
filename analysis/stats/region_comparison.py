"""One region's human-human vs human-network comparison (Findings 2-3), from loaded responses.

For the region's subjects (selected voxels) and networks (selected units of the category): the
pair table with the published layers and with cross-validated layers, and per layer choice and
measure the mean corrected HH and HN similarity, their gap, the bootstrap interval and p-value
of the gap (published layers) and the disjoint-pair t-test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.responses import Responses
from analysis.stats.comparison import (
    MEASURES,
    MIN_FEATURES,
    Method,
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


def reliability(r: Responses, method: Method = Method()) -> dict[str, float]:
    """A subject's selected voxels: count, split-half (Spearman-Brown) and NSD-ncsnr
    reliability of the univariate profile, RDM reliability (all images), and whether each
    profile is excluded from the noise correction (reliability below the method's minimum or
    undefined)."""
    prepared = prepare(r, replace(method, min_reliability=-np.inf))  # the values as estimated
    p = profile(prepared, np.arange(r.n_stimuli)) if prepared else None
    uni = p.rel_univariate if p else np.nan
    multi = p.rel_multivariate if p else np.nan
    return {"n_voxels": r.n_channels,
            "rel_univariate_split_half": uni,
            "rel_univariate_ncsnr": ncsnr_reliability(mean_observed(r.data, axis=1))
            if r.n_channels else np.nan,
            "rel_multivariate": multi,
            "excluded_univariate": not uni >= method.min_reliability,
            "excluded_multivariate": not multi >= method.min_reliability}


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
            raw = part[part["measure"] == measure].groupby("kind")["r"]
            row = {"networks": name, "n_models": len(models), "measure": measure,
                   "hh_mean": k.mean().get("hh", np.nan), "hn_mean": hn, "gap": g[measure],
                   "n_hh": int(k.count().get("hh", 0)), "n_hn": int(k.count().get("hn", 0)),
                   # pairs with a similarity but no corrected one (a reliability excluded)
                   "n_hh_excluded": int(raw.count().get("hh", 0) - k.count().get("hh", 0)),
                   "n_hn_excluded": int(raw.count().get("hn", 0) - k.count().get("hn", 0)),
                   "hh_raw_mean": raw.mean().get("hh", np.nan),
                   "hn_raw_mean": raw.mean().get("hn", np.nan),
                   "note": _note(raw.count().get("hh", 0), raw.count().get("hn", 0),
                                 k.count().get("hn", 0))}
            if boot is not None:
                row.update(bootstrap_summary(boot[name][measure], ci_level))
            row.update({c: tests.loc[measure, c] if measure in tests.index else np.nan
                        for c in ("n_pairs", "t", "df", "p_t", "cohen_d")})
            rows.append(row)
    return rows


def _note(n_hh: int, n_hn: int, n_hn_corrected: int) -> str:
    """Why a group's numbers are missing ('' when they are not)."""
    if n_hn == 0:
        return f"no network of the group has >= {MIN_FEATURES} selected units here"
    if n_hh == 0:
        return f"fewer than 2 subjects have >= {MIN_FEATURES} selected voxels"
    if n_hn_corrected == 0:
        return "every subject profile is below the minimum reliability"
    return ""


def compare_region(brains: list[Responses], nets: list[Responses],
                   nets_by_layer: dict[str, dict[str, Responses]], n_boot: int,
                   ci_level: float, method: Method, boot_rng: np.random.Generator,
                   cv_rng: np.random.Generator, model_rng: np.random.Generator
                   ) -> RegionComparison:
    """brains: each subject's selected voxels (ordered by subject); nets: each network's
    selected units in its published layer; nets_by_layer: model -> layer -> selected units of
    every read layer (for the cross-validated choice). Stats per network group: each model,
    trained models pooled, untrained models pooled."""
    n_img = brains[0].n_stimuli
    groups = network_groups([n.system for n in nets])
    sims = {"published": similarities(brains, nets, np.arange(n_img), method)}
    sims["cv"], chosen = cross_validated(brains, nets_by_layer, halves(n_img, cv_rng),
                                         method)
    boot = bootstrap_gap(brains, nets, n_img, n_boot, boot_rng, method, model_rng)
    stats = [{"layer_choice": choice, **row}
             for choice, sim in sims.items()
             for row in summarise(sim, groups, boot if choice == "published" else None,
                                  ci_level)]
    table = pd.concat([s.assign(layer_choice=c) for c, s in sims.items()], ignore_index=True)
    return RegionComparison(table, pd.DataFrame(stats), chosen)


def with_method(brains: list[Responses], nets: list[Responses], method: Method
                ) -> pd.DataFrame:
    """The multivariate comparison (published layers, all images, no bootstrap) with another
    RDM distance, per network group: to show the paper's correlation distance beside the
    unbiased default. Columns as the stats table's point estimates."""
    sim = similarities(brains, nets, np.arange(brains[0].n_stimuli), method)
    sim = sim[sim["measure"] == "multivariate"]
    rows = summarise(sim, network_groups([n.system for n in nets]), None, 0.95)
    keep = ["networks", "n_models", "measure", "hh_mean", "hn_mean", "gap", "n_hh", "n_hn"]
    return pd.DataFrame([{k: r[k] for k in keep} for r in rows
                         if r["measure"] == "multivariate"]).assign(rdm_distance=method.distance)
