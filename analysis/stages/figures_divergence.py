"""Figure 6 (stimulus-level divergences and diagnostic tests) from
results/analyses/divergence."""

from __future__ import annotations

import argparse

from analysis import config, paths
from analysis.analyses.divergence import figure as figure6
from analysis.analyses.divergence.params import OUTPUT as DIVERGENCE
from analysis.analyses.divergence.params import block
from analysis.io.shared_images import thumbnails
from analysis.report.figures.style import display_names, label_tier, network_colors, save
from analysis.report.provenance import stage_provenance


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("figures-divergence")
    regions = {c: r for c in params.categories if (r := params.main_region(c)) is not None}
    tables = {name: figure6.read_table(DIVERGENCE / f"{name}.csv")
              for name in ("images", "diagnostics", "subjects", "generalisation",
                           "real_images", "it_rdm")}
    model = next(m for m in block(params).discovery_models if m in params.models)
    img = figure6.select_rows(tables["images"], model=model)
    top = set()
    for _, g in (img.groupby("region") if len(img) else ()):
        top |= set(g.reindex(g["residual"].abs().sort_values(ascending=False).index)
                   .head(figure6.THUMBNAILS)["image_id"].astype(int))
    fig = figure6.draw(tables["images"], tables["diagnostics"], tables["subjects"],
                       tables["generalisation"], tables["real_images"], tables["it_rdm"],
                       regions, model, thumbnails(top), block(params).residual_cutoff,
                       display_names(params),
                       network_colors(params.models, {m: params.zoo[m].trained
                                                      for m in params.models}))
    label_tier(fig, params.tier)
    save(fig, paths.FIGURE6, {**prov, "output": str(paths.FIGURE6)})
