"""The interactive explorers (explorer/index.html, analysis.report.explorer): one offline
page from the results tables the figures use, plus each region's and network's selective
response profile (read from the selected voxels and units, as Figure 1 reads them)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config, paths, seeds
from analysis.analyses.alignment_patterns.params import OUTPUT as APA
from analysis.analyses.divergence.params import OUTPUT as DIVERGENCE
from analysis.analyses.encoding.figure import SETS
from analysis.analyses.encoding.params import OUTPUT as ENCODING
from analysis.analyses.ood_decoding.params import OUTPUT as OOD
from analysis.atomic import write_text
from analysis.io import selected
from analysis.io.annotations import LABELS
from analysis.io.shared_images import thumbnails
from analysis.report.explorer import (
    companions,
    divergence,
    encoding,
    profiles,
    robustness,
    similarity,
)
from analysis.report.explorer.common import Context
from analysis.report.explorer.page import render
from analysis.report.explorer.thumbnails import data_uri
from analysis.report.figures.core_objects import image_order, zscore
from analysis.report.figures.style import CATEGORY_COLORS, HUMAN, display_names, network_colors
from analysis.report.provenance import stage_provenance
from analysis.report.vega_page import bundle_and_versions
from analysis.responses import as_brain, as_network
from analysis.stats.comparison import comparison_method, prepare_all
from analysis.stats.systems_map import mds

#: The feature sets of Figure 5 that the encoding explorer shows (random ones: mean of draws).
SHOWN_SETS = ("all", "lesioned", "random_lesioned", "selective", "random_only")
#: The profile table's columns (analysis.report.explorer.profiles.human_means).
PROFILE_COLUMNS = ["profile", "system", "kind", "category", "region", "position", "image_id",
                   "group", "response"]


def selective_profiles(params: config.Params, main: dict[str, str]) -> pd.DataFrame:
    """One row per (profile, shared image): each subject's main region and each network's
    selective units per category, the mean over repetitions (brains) or units (networks),
    z-scored over the images; images sorted by label as in Figure 1."""
    method = comparison_method(params.comparison)
    annotations = pd.read_csv(paths.ANNOTATIONS / "images.csv")
    names = display_names(params)
    rows = []
    for category, region in main.items():
        voxels = selected.voxels(params, region)
        brains = prepare_all(voxels, method)
        nets = prepare_all([selected.units(params, m, params.layer(m, category), category)
                            for m in params.models], method)
        if not brains:  # no subject has a profile: no human mean to set the networks beside
            continue
        stimuli = np.asarray(voxels[0].stimuli)
        order, groups = image_order(annotations, stimuli)
        for is_brain, p in [*((True, b) for b in brains), *((False, n) for n in nets)]:
            if is_brain:
                who = f"S{as_brain(p.system).subject} {region}"
                kind, profile = "human", who
            else:
                net = as_network(p.system)
                who = names[net.model]
                kind = "trained" if net.trained else "untrained"
                profile = f"{who} ({category})"
            rows.append(pd.DataFrame({
                "profile": profile, "system": who, "kind": kind, "category": category,
                "region": region, "position": np.arange(len(order)),
                "image_id": stimuli[order].astype(int), "group": groups,
                "response": zscore(np.nanmean(p.univariate, axis=1)[order])}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=PROFILE_COLUMNS)


def profile_map(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """MDS (analysis.stats.systems_map.mds) of 1 - Pearson r between profiles over the images
    (r over the images both profiles have); fewer than 3 profiles give an empty map."""
    wide = table.pivot_table(index="image_id", columns="profile", values="response",
                             sort=False)
    return mds(wide.corr(), seed).rename(columns={"system": "profile"})


def neural_levels(summary: Path) -> dict[str, float]:
    """Image domain -> the neural population's accuracy with all its sites, from the
    out-of-domain analysis's summary (the training domain's in-domain accuracy, every other
    domain's out-of-domain one)."""
    s = json.loads(summary.read_text())
    return {s["train_domain"]: s["neural_in_domain"], **s["neural_ood_by_domain"]}


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prov = stage_provenance("explore")
    main = {c: r for c in params.categories if (r := params.main_region(c)) is not None}
    trained = {m: params.zoo[m].trained for m in params.models}
    ctx = Context(params.tier, display_names(params), network_colors(params.models, trained),
                  trained, HUMAN, CATEGORY_COLORS)
    regions = list(main.values())
    table = selective_profiles(params, main)
    matrices = {(c, m): pd.read_csv(paths.SYSTEMS_MAP / f"{c}_{m}.csv").set_index("system")
                for c in main for m in ("univariate", "multivariate")}
    maps = {(c, m): pd.read_csv(paths.SYSTEMS_MAP / f"{c}_{m}_mds.csv")
            for c in main for m in ("univariate", "multivariate")}
    images = pd.read_csv(DIVERGENCE / "images.csv")
    thumbs = {i: data_uri(np.asarray(a)) for i, a in
              sorted(thumbnails(set(images["image_id"].astype(int))).items())}
    sections = [
        profiles.section(table, profile_map(table, seeds.child_seed(
            params.comparison.seed, "explore", "profiles")), ctx),
        similarity.section(pd.read_csv(paths.COMPARISON / "similarities.csv"), matrices,
                           maps, main, ctx),
        robustness.section(pd.read_csv(paths.ROBUSTNESS / "gaps.csv"), params.threshold,
                           ctx),
        encoding.section(pd.read_csv(ENCODING / "accuracy.csv"),
                         {k: v.replace("\n", " ") for k, v in SETS if k in SHOWN_SETS},
                         regions, ctx),
        divergence.section(images, pd.read_csv(DIVERGENCE / "diagnostics.csv"),
                           pd.read_csv(DIVERGENCE / "subjects.csv"), thumbs, LABELS, regions,
                           ctx),
        companions.section(pd.read_csv(OOD / "curves.csv"), neural_levels(OOD / "summary.json"),
                           pd.read_csv(APA / "brain_matrix.csv"),
                           pd.read_csv(APA / "systems.csv"), ctx)]
    bundle, versions = bundle_and_versions()
    write_text(render(sections, ctx, prov, bundle, versions), paths.EXPLORER)
