"""Figure 4: robustness over localizers, regions and t-thresholds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.report.figures.style import (
    CATEGORY_COLORS,
    FULL_WIDTH,
    HUMAN,
    SMALL,
    TRAINED,
)
from analysis.report.figures.venn import draw_venn
from analysis.vocabulary import POOLED_TRAINED, POOLED_UNTRAINED

MEASURES = ["univariate", "multivariate"]
LINESTYLES = ("-", "--", ":")
#: The two localizers' colours in the Venn diagrams (fLoc, the second set).
LOCALIZER_COLORS = ("#8c8c8c", "#e7a33e")


def draw(venn: pd.DataFrame, gaps: pd.DataFrame, last_layer: dict[str, str],
         threshold: float, categories: list[str],
         region_categories: dict[str, str]) -> plt.Figure:
    """venn: results/network/localizer/venn.csv; gaps: results/robustness/gaps.csv (the pooled
    trained and untrained rows are drawn); region_categories: region -> its category (colours:
    the category's, line style: the region's rank within it). Drawn at the text width."""
    fig = plt.figure(figsize=(FULL_WIDTH, 4.7), layout="constrained")
    grid = fig.add_gridspec(2, 3)
    _venns(fig.add_subplot(grid[0, 0]), venn, last_layer, categories)
    trained = gaps[gaps["networks"] == POOLED_TRAINED]
    _hh_vs_hn(fig.add_subplot(grid[0, 1:]), trained, threshold)
    _voxels(fig.add_subplot(grid[1, 0]), trained, region_categories)
    _units(fig.add_subplot(grid[1, 1]), gaps, region_categories, categories)
    _gap(fig.add_subplot(grid[1, 2]), trained)
    return fig


def _venns(ax: plt.Axes, venn: pd.DataFrame, last_layer: dict[str, str],
           categories: list[str]) -> None:
    """Area-proportional Venn diagrams of the units each localizer selects (trained networks,
    last layer read, mean over networks), one per category, on one scale."""
    v = venn[(venn["layer"] == venn["model"].map(last_layer)) & venn["trained"].astype(bool)
             & venn["category"].isin(categories)]
    v = v.groupby("category")[["floc_only", "both", "localizer2_only"]].mean().reindex(categories)
    v = v.fillna(0)
    biggest = max(float((v["floc_only"] + v["both"]).max()),
                  float((v["localizer2_only"] + v["both"]).max()), 1.0)
    scale = 0.6 / (2 * (biggest / 3.14159) ** 0.5)  # the largest circle 0.6 wide
    step = 0.78
    for i, (cat, r) in enumerate(v.iterrows()):
        y = -i * step
        if r.sum() > 0:
            draw_venn(ax, r["floc_only"], r["both"], r["localizer2_only"], LOCALIZER_COLORS,
                      scale, centre=(0.0, y))
        ax.text(-0.4, y, cat, ha="right", va="center", color=CATEGORY_COLORS.get(cat))
        ax.text(0.0, y - 0.32, f"{r['floc_only']:.0f} | {r['both']:.0f} | "
                f"{r['localizer2_only']:.0f}", ha="center", va="top", fontsize=SMALL)
    ax.set_xlim(-0.95, 0.6)
    ax.set_ylim(-step * (len(categories) - 1) - 0.45, 0.33)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("a  two localizers (trained)", loc="left", fontweight="bold")
    ax.legend(handles=[Patch(color=c, alpha=0.45, label=lab) for c, lab in
                       zip(LOCALIZER_COLORS, ("fLoc", "second set"), strict=True)],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2)


def _hh_vs_hn(ax: plt.Axes, trained: pd.DataFrame, threshold: float) -> None:
    """Human-human vs human-network similarity per region and localizer at the threshold."""
    g = trained[trained["threshold"] == threshold]
    labels = []
    for i, ((roi, loc), d) in enumerate(g.groupby(["roi", "localizer"], sort=True)):
        for k, measure in enumerate(MEASURES):
            r = d[d["measure"] == measure]
            if len(r):
                x = i + 0.25 * (k - 0.5)
                face = {"hh": HUMAN, "hn": TRAINED} if k == 0 else {"hh": "none", "hn": "none"}
                ax.plot([x] * 2, [r["hn"].iloc[0], r["hh"].iloc[0]], color="#cccccc", lw=0.8)
                ax.plot(x, r["hh"].iloc[0], "o", ms=3, color=HUMAN, mfc=face["hh"], mew=0.7)
                ax.plot(x, r["hn"].iloc[0], "o", ms=3, color=TRAINED, mfc=face["hn"], mew=0.7)
        labels.append(f"{roi}\n{'fLoc' if loc == 'floc' else '2nd'}")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylabel("noise-corrected similarity")
    ax.set_title(f"b  human-human vs human-network (trained), t > {threshold:g}", loc="left",
                 fontweight="bold")
    ax.legend(handles=[Line2D([], [], color=c, marker="o", ls="", ms=3, label=lab, mfc=face)
                       for c, face, lab in ((HUMAN, HUMAN, "human-human"),
                                            (TRAINED, TRAINED, "human-network"),
                                            ("black", "black", "univariate"),
                                            ("black", "none", "multivariate"))],
              loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _voxels(ax: plt.Axes, trained: pd.DataFrame, region_categories: dict[str, str]) -> None:
    """Selected voxels per region (mean over subjects) over thresholds."""
    rank = {r: [x for x, c in region_categories.items() if c == cat].index(r)
            for r, cat in region_categories.items()}
    for roi, d in trained[(trained["measure"] == "univariate")
                          & (trained["localizer"] == "floc")].groupby("roi"):
        ax.plot(d["threshold"], d["mean_voxels"], marker="o", ms=2.5, label=roi,
                color=CATEGORY_COLORS.get(region_categories.get(roi, ""), "#555555"),
                ls=LINESTYLES[rank.get(roi, 0) % len(LINESTYLES)])
    _threshold_axis(ax, trained["threshold"])
    ax.set_ylabel("selected voxels\n(mean over subjects)")
    ax.set_title("c  voxels", loc="left", fontweight="bold")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, handlelength=1.6,
              columnspacing=0.8)


def _units(ax: plt.Axes, gaps: pd.DataFrame, region_categories: dict[str, str],
           categories: list[str]) -> None:
    """Selected units per category (mean over networks) over thresholds, trained (solid) and
    untrained (dashed)."""
    main = {c: next((r for r, rc in region_categories.items() if rc == c), None)
            for c in categories}
    rows = gaps[(gaps["measure"] == "univariate") & (gaps["localizer"] == "floc")]
    for cat in categories:
        for pool, ls in ((POOLED_TRAINED, "-"), (POOLED_UNTRAINED, "--")):
            d = rows[(rows["roi"] == main[cat]) & (rows["networks"] == pool)]
            ax.plot(d["threshold"], d["mean_units"], marker="o", ms=2.5, ls=ls,
                    color=CATEGORY_COLORS.get(cat, "#555555"))
    ax.set_yscale("log")
    _threshold_axis(ax, rows["threshold"])
    ax.set_ylabel("selected units\n(mean over networks)")
    ax.set_title("d  units", loc="left", fontweight="bold")
    ax.legend(handles=[Line2D([], [], color="black", ls="-", label="trained"),
                       Line2D([], [], color="black", ls="--", label="untrained")],
              loc="lower left")


def _gap(ax: plt.Axes, trained: pd.DataFrame) -> None:
    """The HH - HN gap (bias-corrected) over thresholds, mean and SD over regions and
    localizers, per measure."""
    for measure, mfc in zip(MEASURES, ("#333333", "none"), strict=True):
        d = trained[trained["measure"] == measure].groupby("threshold")["gap_corrected"]
        ax.errorbar(d.mean().index, d.mean(), yerr=d.std(), marker="o", ms=3, mfc=mfc,
                    color="#333333", capsize=1.5, elinewidth=0.6, label=measure)
    ax.axhline(0, color="#999999", lw=0.5)
    _threshold_axis(ax, trained["threshold"])
    ax.set_ylabel("HH − HN, bias-corrected\n(mean ± SD, regions × localizers)")
    ax.set_title("e  the gap (trained)", loc="left", fontweight="bold")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2)


def _threshold_axis(ax: plt.Axes, thresholds: pd.Series) -> None:
    """Ticks at the thresholds swept, labelled as set in params."""
    values = sorted(thresholds.unique())
    ax.set_xticks(values, [f"{v:g}" for v in values])
    ax.set_xlabel("t-threshold")
