"""Figure 3: human-human vs human-network similarity, the systems matrix and its MDS."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.report.figures import schematics
from analysis.report.figures.style import (
    CONTROL,
    FULL_WIDTH,
    HUMAN,
    SMALL,
    TRAINED,
    UNTRAINED,
    empty_panel,
)

#: Why a panel of pairs is empty (see the stats table's note per region).
NO_PAIRS = ("no pair to compare:\nfewer than 2 subjects with >= 3 selected\nvoxels, "
            "or no network with >= 3 units")


def draw(sims: pd.DataFrame, matrix: pd.DataFrame, embedding: pd.DataFrame,
         category: str, main_regions: list[str], names: dict[str, str],
         colors: dict[str, str]) -> plt.Figure:
    """sims: results/comparison/similarities.csv; matrix/embedding: one category, univariate;
    main_regions: the region shown per category in panels b-c (a: the schematic), where trained and untrained
    networks are shown apart (each point a subject-network pair); names: model -> display
    name; colors: model -> its colour (style.network_colors). Drawn at the text width."""
    fig = plt.figure(figsize=(FULL_WIDTH, 6.5), layout="constrained")
    gs = fig.add_gridspec(3, 2, height_ratios=[0.42, 1, 1.15])
    schematics.comparison(fig.add_subplot(gs[0, :]))
    s = sims[(sims["layer_choice"] == "published") & sims["roi"].isin(main_regions)]
    rng = np.random.default_rng(0)  # horizontal jitter only
    for i, measure in enumerate(["univariate", "multivariate"]):
        ax = fig.add_subplot(gs[1, i])
        for j, roi in enumerate(main_regions):
            here = s[(s["roi"] == roi) & (s["measure"] == measure)]
            trained = (here["b_trained"].astype(str) == "True" if "b_trained" in here
                       else pd.Series(False, index=here.index))
            groups = ((here[here["kind"] == "hh"], HUMAN),
                      (here[(here["kind"] == "hn") & trained], TRAINED),
                      (here[(here["kind"] == "hn") & ~trained], UNTRAINED))
            for k, (v, colour) in enumerate(groups):
                x = j * 4 + k
                ax.boxplot(v["r_corrected"].dropna(), positions=[x], widths=0.6,
                           showfliers=False, medianprops={"color": colour},
                           boxprops={"linewidth": 0.6}, whiskerprops={"linewidth": 0.6},
                           capprops={"linewidth": 0.6})
                ax.scatter(x + rng.uniform(-0.15, 0.15, len(v)), v["r_corrected"], s=3,
                           color=colour, alpha=0.6, linewidths=0)
        if not (s["measure"] == measure).any():
            empty_panel(ax, NO_PAIRS)
        ax.set_xticks([j * 4 + 1 for j in range(len(main_regions))], main_regions)
        ax.axhline(1, color="#999999", lw=0.5, ls=":")
        if i == 0:
            ax.set_ylabel("noise-corrected similarity")
        ax.set_title(f"{'bc'[i]}  {measure}", loc="left", fontweight="bold")
    handles = [Line2D([], [], color=c, marker="o", ls="", ms=3, label=lab) for c, lab in
               ((HUMAN, "human-human"), (TRAINED, "human-network, trained"),
                (UNTRAINED, "human-network, untrained"))]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    ax = fig.add_subplot(gs[2, 0])
    labels = [names.get(x, x) for x in matrix.index]
    if matrix.empty:
        empty_panel(ax, "no subject or network\nwith a profile")
    else:
        values = matrix.to_numpy(dtype=float)
        top = max(1.0, float(np.nanmax(values)))  # noise-corrected r can exceed 1
        im = ax.imshow(values, vmin=min(-0.2, float(np.nanmin(values))), vmax=top,
                       cmap="viridis")
        bar = fig.colorbar(im, ax=ax, shrink=0.8)
        bar.set_label("noise-corrected r")
    ax.set_xticks(range(len(matrix)), [])  # symmetric: the rows name the systems
    ax.set_yticks(range(len(matrix)), labels)
    ax.set_title(f"d  systems ({category}, univariate)", loc="left", fontweight="bold")
    ax = fig.add_subplot(gs[2, 1])
    middle = float(embedding["x"].mean()) if len(embedding) else 0.0
    for _, row in embedding.iterrows():
        colour = HUMAN if row["kind"] == "human" else colors.get(row["system"], CONTROL)
        ax.scatter(row["x"], row["y"], s=12, color=colour, linewidths=0)
        if row["kind"] != "human":  # labels point inwards, so they stay in the panel
            right = row["x"] > middle
            ax.annotate(names.get(row["system"], row["system"]), (row["x"], row["y"]),
                        xytext=(-4 if right else 4, 3), textcoords="offset points",
                        ha="right" if right else "left", fontsize=SMALL, color=colour)
    if embedding.empty:
        empty_panel(ax, "fewer than 3 systems\nwith a defined similarity")
    else:
        humans = embedding[embedding["kind"] == "human"]
        if len(humans):
            ax.annotate("subjects", (humans["x"].mean(), humans["y"].min()), xytext=(0, -8),
                        textcoords="offset points", ha="center", va="top", fontsize=SMALL,
                        color=HUMAN)
        ax.margins(0.25)
    ax.set_title("e  MDS of 1 - r", loc="left", fontweight="bold")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig
