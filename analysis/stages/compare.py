"""Human-human vs human-network similarity of category-selective responses (Findings 2-3).

For each compared region (FFA, OFA: face units; EBA, FBA: body units; PPA, OPA: scene units):
the selected voxels of every subject (data/selected) and the selected units of every network
(fLoc localizer at the threshold) on the shared images; univariate and multivariate profiles;
noise-corrected HH and HN similarity (ratios of means); their bias, bias-corrected values,
intervals and p-values from the corrected bootstrap over images and subjects
(analysis.stats.gap_inference); each model on its own, trained models pooled and untrained models
pooled (never together). RDMs use comparison.rdm_distance; the multivariate point estimates with
the paper's correlation distance are written beside them (paper_distance.csv), with the subjects
that distance's reliability leaves out and the positive control's gap with it (its measured
bias). Controls (controls.csv): a noise-free simulated subject presented as a network
(positive) and the same with its images shuffled (negative), judged by equivalence, where the
tier has a simulated brain.
Network layer: the zoo's published layer per category, and a cross-validated choice. Random
numbers come from streams named by region, so adding a region changes no other region's
results. Writes results/comparison/.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import pandas as pd
from threadpoolctl import threadpool_limits

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import controls, selected
from analysis.report.format import number, p_value
from analysis.responses import as_brain, check_aligned
from analysis.stats.comparison import MIN_FEATURES, Method, comparison_method
from analysis.stats.controls import control_comparison, negative
from analysis.stats.region_comparison import compare_region, reliability, with_method


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    with threadpool_limits(limits=1):  # many small products: one BLAS thread is fastest
        cmp = params.comparison
        method = comparison_method(cmp)
        sims, stats, rel, chosen, paper, controls = [], [], [], [], [], []
        for region, category in params.compared_regions().items():
            brains = selected.voxels(params, region)
            nets = [selected.units(params, m, params.layer(m, category), category)
                    for m in params.models]
            by_layer = {m: {lay: selected.units(params, m, lay, category)
                            for lay in params.zoo[m].layers_to_read()} for m in params.models}
            check_aligned(brains + nets + [r for d in by_layer.values() for r in d.values()])
            rel += [{"subject": as_brain(b.system).subject, "roi": region,
                     **reliability(b, method)} for b in brains]
            result = compare_region(brains, nets, by_layer, cmp.n_boot, cmp.ci_level, method,
                                    seeds.stream(cmp.seed, "bootstrap", region),
                                    seeds.stream(cmp.seed, "cv-halves", region))
            key = {"roi": region, "category": category}
            control = run_controls(params, method, region, brains)
            paper_method = replace(method, distance="correlation")
            paper.append(_paper_distance(with_method(brains, nets, paper_method),
                                         run_controls(params, paper_method, region, brains))
                         .assign(**key))
            controls.append(control.assign(**key))
            sims.append(result.similarities.assign(**key))
            stats.append(result.stats.assign(**key))
            chosen.append(result.chosen_layers.assign(**key))
        frames = {"similarities": _concat(sims),
                  "stats": _first(pd.concat(stats, ignore_index=True), ["roi", "category"]),
                  "reliability": pd.DataFrame(rel),
                  "cv_layers": pd.concat(chosen, ignore_index=True),
                  "paper_distance": _first(pd.concat(paper, ignore_index=True),
                                           ["roi", "category"]),
                  "controls": _first(pd.concat(controls, ignore_index=True), ["roi", "category"])}
        with atomic_path(paths.COMPARISON) as tmp:
            tmp.mkdir()
            for name, frame in frames.items():
                write_csv(frame, tmp / f"{name}.csv")
            write_json(summary(frames["stats"], params), tmp / "summary.json")


def run_controls(params: config.Params, method: Method, region: str, brains: list
                 ) -> pd.DataFrame:
    """The positive and negative controls of one region (stats.controls), or one row saying
    why they could not run (no simulated brain on this tier, or not on these images)."""
    cmp = params.comparison
    contrast = params.roi_definitions[region].contrast
    control = controls.positive(region, contrast, params.threshold,
                                stimuli=brains[0].stimuli)
    if control is None:
        return pd.DataFrame([{"control": "none", "status": "not run", "reason":
                              "no simulated control brain on these images (tier "
                              f"{params.tier})"}])
    shuffled = negative(control, seeds.stream(cmp.seed, "control-shuffle", region))
    table = control_comparison(brains, control, shuffled, cmp.n_boot, cmp.ci_level, method,
                               seeds.stream(cmp.seed, "controls", region),
                               cmp.equivalence_margin, cmp.equivalence_level)
    ran = table["verdict"] != "not run"
    return table.assign(status=ran.map({True: "ok", False: "not run"}),
                        reason=ran.map({True: "", False: (
                            f"fewer than 2 subjects, or the control brain, have >= "
                            f"{MIN_FEATURES} selected voxels in {region} at threshold "
                            f"{params.threshold}")}),
                        rdm_distance=method.distance,
                        n_control_voxels=control.n_channels)


def _paper_distance(table: pd.DataFrame, controls: pd.DataFrame) -> pd.DataFrame:
    """The correlation-distance point estimates with the positive control's multivariate gap
    under that distance (its bias measured on a system known to match; NaN without a
    simulated control brain) and the control's equivalence verdict."""
    pos = (controls[(controls["control"] == "positive_control")
                    & (controls["measure"] == "multivariate")]
           if "measure" in controls.columns else controls.iloc[:0])
    if len(pos):
        row = pos.iloc[0]
        return table.assign(positive_control_gap=row["gap_estimate_corrected"],
                            positive_control_ci_low=row["gap_ci_low"],
                            positive_control_ci_high=row["gap_ci_high"],
                            positive_control_verdict=row["verdict"])
    return table.assign(positive_control_gap=float("nan"), positive_control_ci_low=float("nan"),
                        positive_control_ci_high=float("nan"),
                        positive_control_verdict="not run")


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Row-wise concatenation; regions without a pair (empty tables) add no rows."""
    return pd.concat([t for t in tables if len(t)] or tables[:1], ignore_index=True)


def _first(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return table[columns + [c for c in table.columns if c not in columns]]


def summary(stats: pd.DataFrame, params: config.Params) -> dict:
    """Key numbers per region, measure and network group (published layers): the
    bias-corrected HH, HN and gap with the gap's bias, interval and p (a string)."""
    out: dict = {"threshold": params.threshold}
    for r in stats[stats["layer_choice"] == "published"].itertuples():
        out[f"{r.roi}/{r.measure}/{r.networks}"] = {
            "hh": number(r.hh_estimate_corrected), "hn": number(r.hn_estimate_corrected),
            "gap": number(r.gap_estimate_corrected), "gap_uncorrected": number(r.gap),
            "bias": number(r.gap_bias), "ci": [number(r.gap_ci_low), number(r.gap_ci_high)],
            "p": p_value(r.gap_p)}
    return out
