"""One region's human-human vs human-network comparison (Findings 2-3), from loaded responses.

For the region's subjects (selected voxels) and networks (selected units of the category): the
pair table with the published layers and with cross-validated layers, and per layer choice,
network group and measure the corrected HH and HN similarity and their gap (ratios of means,
analysis.stats.comparison); for the published layers also the bias, the bias-corrected values
and their intervals and p-values from the corrected two-factor bootstrap
(analysis.stats.gap_inference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.methods.missing import mean_observed
from analysis.methods.reliability import ncsnr_reliability
from analysis.responses import Responses, as_network
from analysis.stats.comparison import (
    MEASURES,
    MIN_FEATURES,
    Method,
    group_means,
    network_groups,
    prepare,
    prepare_all,
    profile,
    restrict,
    similarities,
)
from analysis.stats.gap_inference import dual_bootstrap
from analysis.stats.gap_inference import summarise as infer
from analysis.stats.layer_choice import cross_validated, halves

#: Columns of the inference of a statistic, prefixed in the stats table (gap_, hh_, hn_).
INFERENCE = ["bias", "bias_se", "estimate_corrected", "se", "ci_low", "ci_high", "p",
             "se_naive"]
INFERRED_COLUMNS = [f"{s}_{c}" for s in ("hh", "hn", "gap") for c in INFERENCE] + ["n_boot"]
#: Fewer subjects with a profile than this give point estimates but no interval.
MIN_SUBJECTS = 3


@dataclass(frozen=True)
class RegionComparison:
    similarities: pd.DataFrame  # pair tables of both layer choices (column layer_choice)
    stats: pd.DataFrame         # one row per layer choice, network group and measure
    chosen_layers: pd.DataFrame  # cross-validated layer per fold, model and measure


def reliability(r: Responses, method: Method = Method()) -> dict[str, float]:
    """A subject's selected voxels: count, split-half (Spearman-Brown) and NSD-ncsnr
    reliability of the univariate profile, and the RDM reliability (all images), as
    estimated (a negative estimate counts as 0 in the noise correction)."""
    prepared = prepare(r, method)
    p = profile(prepared, np.arange(r.n_stimuli)) if prepared else None
    return {"n_voxels": r.n_channels,
            "rel_univariate_split_half": p.rel_univariate if p else np.nan,
            "rel_univariate_ncsnr": ncsnr_reliability(mean_observed(r.data, axis=1))
            if r.n_channels else np.nan,
            "rel_multivariate": p.rel_multivariate if p else np.nan}


def point_estimates(sim: pd.DataFrame, groups: dict[str, tuple[str, ...]]) -> list[dict]:
    """Per network group and measure: corrected HH, HN (mean over the group's models of each
    model's value), gap, the numbers of pairs, the raw (uncorrected) mean r and a note when a
    value is missing."""
    rows = []
    for name, models in groups.items():
        part = restrict(sim, models)
        hh, by_model = group_means(part)
        for measure in MEASURES:
            p = part[part["measure"] == measure]
            hn = (by_model.loc[measure].dropna() if measure in by_model.index
                  else pd.Series(dtype=float))
            kinds = p.groupby("kind")
            n = kinds["r"].count()
            rows.append({"networks": name, "n_models": len(models), "measure": measure,
                         "hh_mean": hh[measure], "hn_mean": hn.mean() if len(hn) else np.nan,
                         "gap": hh[measure] - hn.mean() if len(hn) else np.nan,
                         "n_hh": int(n.get("hh", 0)), "n_hn": int(n.get("hn", 0)),
                         "hh_raw_mean": kinds["r"].mean().get("hh", np.nan),
                         "hn_raw_mean": kinds["r"].mean().get("hn", np.nan),
                         "note": _note(int(n.get("hh", 0)), int(n.get("hn", 0)),
                                       hh[measure], hn.mean() if len(hn) else np.nan)})
    return rows


def _note(n_hh: int, n_hn: int, hh: float, hn: float) -> str:
    """Why a group's numbers are missing ('' when they are not)."""
    if n_hh == 0:
        return f"fewer than 2 subjects have >= {MIN_FEATURES} selected voxels"
    if n_hn == 0:
        return f"no network of the group has >= {MIN_FEATURES} selected units here"
    for name, value in (("human-human", hh), ("human-network", hn)):
        if not np.isfinite(value):
            return (f"no {name} pair has positive reliabilities: the noise correction is "
                    "undefined")
    return ""


def inference(brains: Sequence[Responses], nets: Sequence[Responses], n_boot: int,
              ci_level: float, method: Method, rng: np.random.Generator) -> pd.DataFrame:
    """Bias, bias-corrected estimate, SE, interval and p of HH, HN and the gap per network
    group (comparison.network_groups) and measure, one row per group and measure with the
    columns INFERENCE prefixed hh_, hn_ and gap_ (analysis.stats.gap_inference); no rows when
    fewer than MIN_SUBJECTS subjects or no network have a profile (resampling two subjects
    says nothing about a population of subjects)."""
    pb, pn = prepare_all(list(brains), method), prepare_all(list(nets), method)
    if len(pb) < MIN_SUBJECTS or not pn:
        return pd.DataFrame(columns=["networks", "measure", *INFERRED_COLUMNS])
    groups = network_groups([p.system for p in pn])
    rep = dual_bootstrap(pb, pn, [as_network(p.system).model for p in pn], groups, n_boot, rng,
                         method)
    s = infer(rep, ci_level)
    rows = []
    for g in groups:
        for m in MEASURES:
            row: dict = {"networks": g, "measure": m}
            for stat, sub in (("hh", s[(s["statistic"] == "hh") & (s["measure"] == m)]),
                              ("hn", s[(s["statistic"] == "hn") & (s["measure"] == m)
                                       & (s["group"] == g)]),
                              ("gap", s[(s["statistic"] == "gap") & (s["measure"] == m)
                                        & (s["group"] == g)])):
                r = sub.iloc[0]
                row.update({f"{stat}_{c}": r[c] for c in INFERENCE})
            row["n_boot"] = int(s[(s["statistic"] == "gap") & (s["measure"] == m)
                                  & (s["group"] == g)]["n_boot"].iloc[0])
            rows.append(row)
    return pd.DataFrame(rows)


def summarise(sim: pd.DataFrame, groups: dict[str, tuple[str, ...]],
              inferred: pd.DataFrame | None) -> pd.DataFrame:
    """The stats table: point estimates of the pair table, joined with the inference where
    given (rows of groups or measures without it keep NaN)."""
    table = pd.DataFrame(point_estimates(sim, groups))
    if inferred is None or inferred.empty:
        inferred = pd.DataFrame(columns=["networks", "measure", *INFERRED_COLUMNS])
    return table.merge(inferred.astype({c: float for c in INFERRED_COLUMNS}),
                       on=["networks", "measure"], how="left")


def compare_region(brains: list[Responses], nets: list[Responses],
                   nets_by_layer: dict[str, dict[str, Responses]], n_boot: int,
                   ci_level: float, method: Method, boot_rng: np.random.Generator,
                   cv_rng: np.random.Generator) -> RegionComparison:
    """brains: each subject's selected voxels (ordered by subject); nets: each network's
    selected units in its published layer; nets_by_layer: model -> layer -> selected units of
    every read layer (for the cross-validated choice). Stats per network group: each model,
    trained models pooled, untrained models pooled."""
    n_img = brains[0].n_stimuli
    groups = network_groups([n.system for n in nets])
    sims = {"published": similarities(brains, nets, np.arange(n_img), method)}
    sims["cv"], chosen = cross_validated(brains, nets_by_layer, halves(n_img, cv_rng),
                                         method)
    inferred = inference(brains, nets, n_boot, ci_level, method, boot_rng)
    stats = pd.concat([summarise(sim, groups, inferred if choice == "published" else None)
                       .assign(layer_choice=choice) for choice, sim in sims.items()],
                      ignore_index=True)
    stats = stats[["layer_choice"] + [c for c in stats.columns if c != "layer_choice"]]
    table = pd.concat([s.assign(layer_choice=c) for c, s in sims.items()], ignore_index=True)
    return RegionComparison(table, stats, chosen)


def with_method(brains: list[Responses], nets: list[Responses], method: Method
                ) -> pd.DataFrame:
    """The multivariate comparison (published layers, all images, no bootstrap) with another
    RDM distance, per network group: to show the paper's correlation distance beside the
    unbiased default. Columns as the stats table's point estimates, plus the subjects whose
    RDM reliability is undefined with that distance (left out of its noise correction)."""
    sim = similarities(brains, nets, np.arange(brains[0].n_stimuli), method)
    sim = sim[sim["measure"] == "multivariate"]
    hn = sim[sim["kind"] == "hn"]
    undefined = (sorted(int(s) for s, g in hn.groupby("a_subject") if g["norm"].isna().all())
                 if len(hn) else [])
    rows = point_estimates(sim, network_groups([n.system for n in nets]))
    keep = ["networks", "n_models", "measure", "hh_mean", "hn_mean", "gap", "n_hh", "n_hn"]
    return pd.DataFrame([{k: r[k] for k in keep} for r in rows
                         if r["measure"] == "multivariate"]).assign(
        rdm_distance=method.distance,
        subjects_without_reliability=" ".join(map(str, undefined)))
