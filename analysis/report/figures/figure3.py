"""Figure 3: human-human vs human-network similarity, the systems matrix and its MDS."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import TRAINED, UNTRAINED, empty_panel

#: Why a panel of pairs is empty (see the stats table's note per region).
NO_PAIRS = ("no pair to compare:\nfewer than 2 subjects with >= 3 selected\nvoxels, "
            "or no network with >= 3 units")


def draw(sims: pd.DataFrame, matrix: pd.DataFrame, embedding: pd.DataFrame,
         category: str, main_regions: list[str]) -> plt.Figure:
    """sims: results/comparison/similarities.csv; matrix/embedding: one category, univariate;
    main_regions: the region shown per category in panels a-b, where trained and untrained
    networks are shown apart (each point a subject-network pair)."""
    fig = plt.figure(figsize=(11, 3.4), constrained_layout=True)
    gs = fig.add_gridspec(1, 4, width_ratios=[1, 1, 1.1, 1])
    s = sims[(sims["layer_choice"] == "published") & sims["roi"].isin(main_regions)]
    rng = np.random.default_rng(0)  # horizontal jitter only
    for i, measure in enumerate(["univariate", "multivariate"]):
        ax = fig.add_subplot(gs[i])
        for j, roi in enumerate(main_regions):
            here = s[(s["roi"] == roi) & (s["measure"] == measure)]
            trained = (here["b_trained"].astype(str) == "True" if "b_trained" in here
                       else pd.Series(False, index=here.index))
            groups = ((here[here["kind"] == "hh"], "#444444"),
                      (here[(here["kind"] == "hn") & trained], TRAINED),
                      (here[(here["kind"] == "hn") & ~trained], UNTRAINED))
            for k, (v, colour) in enumerate(groups):
                x = j * 4 + k
                ax.boxplot(v["r_corrected"].dropna(), positions=[x], widths=0.6,
                           showfliers=False, medianprops={"color": colour})
                ax.scatter(x + rng.uniform(-0.15, 0.15, len(v)), v["r_corrected"], s=5,
                           color=colour, alpha=0.6)
        if not (s["measure"] == measure).any():
            empty_panel(ax, NO_PAIRS)
        ax.set_xticks([j * 4 + 1 for j in range(len(main_regions))], main_regions)
        ax.axhline(1, color="#999999", lw=0.5, ls=":")
        ax.set_ylabel("noise-corrected r (grey HH; red, blue HN)")
        ax.set_title(f"{'ab'[i]}  {measure}", loc="left")
    ax = fig.add_subplot(gs[2])
    if matrix.empty:
        empty_panel(ax, "no subject or network\nwith a profile")
    else:
        im = ax.imshow(matrix.to_numpy(dtype=float), vmin=-0.2, vmax=1, cmap="viridis")
        fig.colorbar(im, ax=ax, shrink=0.7)
    ax.set_xticks(range(len(matrix)), matrix.index, rotation=90, fontsize=4)
    ax.set_yticks(range(len(matrix)), matrix.index, fontsize=4)
    ax.set_title(f"c  subjects and networks ({category}, univariate)", loc="left")
    ax = fig.add_subplot(gs[3])
    for kind, colour in (("human", "#444444"), ("trained network", TRAINED),
                         ("untrained network", UNTRAINED)):
        e = embedding[embedding["kind"] == kind]
        if len(e):
            ax.scatter(e["x"], e["y"], s=12, color=colour, label=kind)
    if embedding.empty:
        empty_panel(ax, "fewer than 3 systems\nwith a defined similarity")
    else:
        ax.legend(frameon=False, fontsize=6)
    ax.set_title("d  MDS of 1 - r", loc="left")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig
