"""Figure 4: robustness over localizers, regions and t-thresholds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.report.figures.style import CATEGORY_COLORS, FULL_WIDTH, HUMAN, SMALL, TRAINED

MEASURES = ["univariate", "multivariate"]
LINESTYLES = ("-", "--", ":")


def draw(venn: pd.DataFrame, gaps: pd.DataFrame, last_layer: dict[str, str],
         threshold: float, categories: list[str],
         region_categories: dict[str, str]) -> plt.Figure:
    """venn: results/network/localizer/venn.csv; gaps: the robustness sweep of the trained
    networks pooled; region_categories: region -> its category (colours: the category's,
    line style: the region's rank within it). Drawn at the text width."""
    region_colors = {r: CATEGORY_COLORS.get(c, "#555555") for r, c in region_categories.items()}
    region_rank = {r: [x for x, c in region_categories.items() if c == cat].index(r)
                   for r, cat in region_categories.items()}
    fig, grid = plt.subplots(2, 2, figsize=(FULL_WIDTH, 4.6), layout="constrained")
    axes = grid.ravel()
    ax = axes[0]
    v = venn[(venn["layer"] == venn["model"].map(last_layer)) & venn["trained"]
             & venn["category"].isin(categories)]
    v = v.groupby("category")[["floc_only", "both", "localizer2_only"]].mean()
    bottom = np.zeros(len(v))
    for col, colour in (("floc_only", "#bbbbbb"), ("both", "#333333"),
                        ("localizer2_only", "#888888")):
        ax.bar(v.index, v[col], bottom=bottom, color=colour, label=col.replace("_", " "))
        bottom += v[col].to_numpy()
    ax.set_title("a  units per localizer (trained)", loc="left", fontweight="bold")
    ax.set_ylabel("selected units (mean over networks)")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    ax = axes[1]
    g = gaps[gaps["threshold"] == threshold]
    labels = []
    for i, ((roi, loc), d) in enumerate(g.groupby(["roi", "localizer"], sort=True)):
        for k, measure in enumerate(MEASURES):
            r = d[d["measure"] == measure]
            if len(r):
                ax.plot([i + 0.2 * k] * 2, [r["hn"].iloc[0], r["hh"].iloc[0]], color="#bbbbbb",
                        lw=1)
                ax.scatter(i + 0.2 * k, r["hh"].iloc[0], s=8, color=HUMAN,
                           marker="o" if k == 0 else "s", linewidths=0)
                ax.scatter(i + 0.2 * k, r["hn"].iloc[0], s=8, color=TRAINED,
                           marker="o" if k == 0 else "s", linewidths=0)
        labels.append(f"{roi} {'fLoc' if loc == 'floc' else 'loc2'}")
    ax.set_xticks(range(len(labels)), labels, fontsize=SMALL, rotation=90)
    ax.set_ylabel("noise-corrected similarity")
    ax.set_title(f"b  HH vs trained HN, t > {threshold:g}", loc="left", fontweight="bold")
    ax.legend(handles=[Line2D([], [], color=c, marker=m, ls="", ms=3, label=lab, mfc=face)
                       for c, m, face, lab in ((HUMAN, "o", HUMAN, "human-human"),
                                               (TRAINED, "o", TRAINED, "human-network"),
                                               ("black", "o", "none", "univariate"),
                                               ("black", "s", "none", "multivariate"))],
              loc="upper left", bbox_to_anchor=(1, 1))
    ax = axes[2]
    for roi, d in gaps[(gaps["measure"] == "univariate") & (gaps["localizer"] == "floc")
                       ].groupby("roi"):
        ax.plot(d["threshold"], d["mean_voxels"], marker="o", ms=3, label=roi,
                color=region_colors.get(roi, "#555555"),
                ls=LINESTYLES[region_rank.get(roi, 0) % len(LINESTYLES)])
    ax.set_xlabel("t-threshold")
    ax.set_ylabel("selected voxels (mean over subjects)")
    ax.set_title("c  fewer, more selective voxels", loc="left", fontweight="bold")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    ax = axes[3]
    for measure, ls in zip(MEASURES, ("-", "--"), strict=True):
        d = gaps[gaps["measure"] == measure].groupby("threshold")["gap_corrected"]
        ax.errorbar(d.mean().index, d.mean(), yerr=d.std(), ls=ls, marker="o", ms=3,
                    color="#333333", label=measure)
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set_xlabel("t-threshold")
    ax.set_ylabel("HH − HN, bias-corrected\n(mean ± SD over regions, localizers)")
    ax.set_title("d  the gap across thresholds (trained)", loc="left", fontweight="bold")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    return fig
