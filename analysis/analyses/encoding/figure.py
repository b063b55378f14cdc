"""Figure 5 (encoding models: necessity and sufficiency of the selective units)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.report.figures import schematics
from analysis.report.figures.style import CATEGORY_COLORS, FULL_WIDTH, empty_panel

#: Feature sets shown, in order, with their labels. Random sets are averaged over draws.
SETS = [("all", "all units"), ("lesioned", "− selective"), ("random_lesioned", "− random"),
        ("selective", "selective only"), ("random_only", "random only"),
        ("insilico_intact", "in silico:\nintact"), ("insilico_lesioned", "in silico:\n− selective"),
        ("insilico_random_lesioned", "in silico:\n− random")]
MEASURES = [("univariate_rc", "univariate accuracy\n(noise-corrected r)"),
            ("multivariate_rc", "multivariate accuracy\n(noise-corrected RDM r)")]


def _per_subject(acc: pd.DataFrame, measure: str) -> pd.DataFrame:
    return acc.groupby(["subject", "feature_set"])[measure].mean().unstack("feature_set")


#: Effects tested (per subject): name -> (minuend, subtrahend, label).
EFFECTS = {"necessity": ("random_lesioned", "lesioned", "necessity"),
           "sufficiency": ("selective", "random_only", "sufficiency"),
           "insilico": ("insilico_random_lesioned", "insilico_lesioned", "in silico")}


def draw_encoding(acc: pd.DataFrame, models: list[str], regions: dict[str, str],
                  readout: str | None, smallest_effect_share: float, pooled: bool = False,
                  names: dict[str, str] | None = None) -> plt.Figure:
    """Row a: a schematic of the models. Rows b-c: accuracy per feature set (univariate,
    multivariate), columns: regions. Bars: mean over subjects of each trained model (and
    their per-subject mean when there are several); dots: subjects; dashed: positive control
    (noise-free brain), dotted: negative control (images shuffled). Row d: the tested effects
    per subject on the explained-variance scale (sign(r) r², as voxelwise.explained_share;
    random sets averaged after squaring) with ± the smallest effect of interest. names:
    model -> display name. Drawn at the text width."""
    names = names or {}
    groups = list(models) + (["pooled trained"] if len(models) > 1 else [])
    fig = plt.figure(figsize=(FULL_WIDTH, 6.8), layout="constrained")
    gs = fig.add_gridspec(4, len(regions), height_ratios=[0.45, 1, 1, 0.9])
    schematics.encoding(fig.add_subplot(gs[0, :]))
    axes = np.empty((3, len(regions)), dtype=object)
    for i in range(3):
        for j in range(len(regions)):
            axes[i, j] = fig.add_subplot(gs[i + 1, j], sharex=axes[i, 0] if j else None)
    shown = [s for s, _ in SETS if s in set(acc["feature_set"])]
    width = 0.8 / len(groups)

    def subset(a: pd.DataFrame, name: str) -> pd.DataFrame:
        return a[a["model"].isin(models)] if name == "pooled trained" else a[a["model"] == name]

    for j, (category, region) in enumerate(regions.items()):
        a = acc[acc["region"] == region]
        for i, (measure, ylabel) in enumerate(MEASURES):
            ax = axes[i, j]
            for g, name in enumerate(groups):
                wide = _per_subject(subset(a, name), measure)
                for k, s in enumerate(shown):
                    if s not in wide:
                        continue
                    x = k + (g - (len(groups) - 1) / 2) * width
                    vals = wide[s].to_numpy(dtype=float)
                    ax.bar(x, np.nanmean(vals), width * 0.85, color=CATEGORY_COLORS[category],
                           alpha=0.35 if "random" in s else 0.8,
                           hatch="////" if s.startswith("insilico") else None,
                           edgecolor="#333333", lw=0.3)
                    ax.scatter(np.full(len(vals), x), vals, s=1.5, color="#222222", zorder=3,
                               linewidths=0)
            for fs, style in (("noiseless_brain", "--"), ("shuffled_images", ":")):
                c = a[a["feature_set"] == fs][measure]
                if len(c):
                    ax.axhline(float(c.mean()), color="#555555", ls=style, lw=0.8)
            ax.axhline(0, color="#999999", lw=0.4)
            ax.set_xticks(range(len(shown)), [dict(SETS)[s].replace("\n", " ") for s in shown],
                          rotation=90)
            ax.tick_params(axis="x", labelbottom=i == 1)
            if j == 0:
                ax.set_ylabel(ylabel)
            ax.set_title(f"{'bc'[i]}{j + 1}  {region}", loc="left", fontweight="bold")
            if a.empty:
                empty_panel(ax, f"no subject has a selected voxel in {region} "
                                "(results/analyses/encoding/excluded.csv)")
        ax = axes[2, j]
        labels = []
        for k, (plus, minus, label) in enumerate(
                v for v in EFFECTS.values() if {v[0], v[1]} <= set(a["feature_set"])):
            labels.append(label)
            for i, (measure, _) in enumerate(MEASURES):
                trained = a[a["model"].isin(models)]
                ev = trained.assign(**{measure: np.sign(trained[measure])
                                       * trained[measure] ** 2})
                wide = _per_subject(ev, measure)
                d = (wide[plus] - wide[minus]).to_numpy(dtype=float)
                x = k + (i - 0.5) * 0.35
                ax.bar(x, np.nanmean(d), 0.3, color=CATEGORY_COLORS[category],
                       alpha=0.8 if i == 0 else 0.35, edgecolor="#333333", lw=0.3)
                ax.scatter(np.full(len(d), x), d, s=1.5, color="#222222", zorder=3,
                           linewidths=0)
        ax.axhspan(-smallest_effect_share, smallest_effect_share, color="#e6e6e6", zorder=0)
        ax.axhline(0, color="#999999", lw=0.4)
        ax.set_xticks(range(len(labels)), labels)
        if j == 0:
            ax.set_ylabel("effect on explained share\n(per subject)")
        ax.set_title(f"d{j + 1}  {region}: effects", loc="left", fontweight="bold")
        if not labels:
            empty_panel(ax, "nothing tested: no selected voxel, or no selective unit "
                            "(results/analyses/encoding/excluded.csv)")
    layers = acc[acc["model"].isin(models)]["layer"]
    layer = layers.iloc[0] if len(layers) else "the category's layer"
    grey = "#555555"
    shown_models = ", ".join(names.get(m, m) for m in models)
    handles = [Patch(facecolor=grey, alpha=0.8, label=f"{shown_models}: units of {layer}"),
               Patch(facecolor=grey, alpha=0.35, label="random sets, same size"),
               Patch(facecolor="white", edgecolor=grey, hatch="////",
                     label=f"in silico, read at {readout}{' (kernel means)' if pooled else ''}"),
               Line2D([], [], color=grey, ls="--", label="positive control"),
               Line2D([], [], color=grey, ls=":", label="negative control"),
               Patch(facecolor="#e6e6e6", label=f"±smallest effect ({smallest_effect_share:g})"),
               Line2D([], [], color="#222222", marker="o", ms=1.5, ls="", label="subjects"),
               Patch(facecolor=grey, alpha=0.8, label="d: univariate dark, multivariate light")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    return fig
