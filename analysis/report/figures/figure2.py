"""Figure 2: category-selective units in trained vs untrained networks and their responses to
an independent image set."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import CATEGORY_COLORS, TRAINED, UNTRAINED


def draw(counts: pd.DataFrame, profiles: pd.DataFrame, venn: pd.DataFrame,
         last_layer: dict[str, str], categories: list[str]) -> plt.Figure:
    """counts/profiles/venn: the select-units tables; last_layer: model -> layer shown in b;
    categories: the compared categories."""
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), constrained_layout=True)
    ax = axes[0]
    c = counts[counts["localizer"] == "floc"]
    layers = list(dict.fromkeys(c["layer"]))
    for j, cat in enumerate(categories):
        for trained, colour, dx in ((True, TRAINED, -0.12), (False, UNTRAINED, 0.12)):
            g = c[(c["category"] == cat) & (c["trained"] == trained)]
            if g.empty:
                continue
            s = g.groupby("layer")["pct_selected"].agg(["mean", "min", "max"]).reindex(layers)
            x = np.arange(len(layers)) + j * (len(layers) + 1) + dx
            ax.errorbar(x, s["mean"], yerr=[s["mean"] - s["min"], s["max"] - s["mean"]],
                        fmt="o", ms=3, color=colour,
                        label=("trained" if trained else "untrained (seed range)") if j == 0 else None)
    ticks = [j * (len(layers) + 1) + i for j in range(len(categories)) for i in range(len(layers))]
    ax.set_xticks(ticks, [lay for _ in categories for lay in layers], fontsize=6, rotation=60)
    for j, cat in enumerate(categories):
        ax.text(j * (len(layers) + 1) + (len(layers) - 1) / 2, 1.0, cat, ha="center",
                va="bottom", transform=ax.get_xaxis_transform(), color=CATEGORY_COLORS[cat])
    ax.set_ylabel("% selective units (t > threshold)")
    ax.set_title("a  Selective units per layer", loc="left")
    ax.legend(frameon=False, fontsize=6)
    ax = axes[1]
    p = profiles[profiles["layer"] == profiles["model"].map(last_layer)]
    img_cats = list(dict.fromkeys(p["image_category"]))
    for trained, ls in ((True, "-"), (False, ":")):
        for cat in categories:
            g = p[(p["trained"] == trained) & (p["selected_for"] == cat)]
            if g.empty:
                continue
            m = g.groupby("image_category")["mean_z"].mean().reindex(img_cats)
            ax.plot(img_cats, m.to_numpy(), ls, marker="o", ms=3, color=CATEGORY_COLORS[cat],
                    label=f"{cat} units, {'trained' if trained else 'untrained'}")
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set_ylabel("mean response (z) on independent set")
    ax.set_title("b  fLoc-selected units on the second set", loc="left")
    ax.legend(frameon=False, fontsize=5)
    ax = axes[2]
    v = venn[(venn["layer"] == venn["model"].map(last_layer)) & venn["category"].isin(categories)]
    v = v.groupby(["trained", "category"])[["floc_only", "both", "localizer2_only"]].mean()
    labels = [f"{cat}\n{'tr' if t else 'untr'}" for t, cat in v.index]
    bottom = np.zeros(len(v))
    for col, colour in (("floc_only", "#bbbbbb"), ("both", "#333333"),
                        ("localizer2_only", "#888888")):
        ax.bar(labels, v[col], bottom=bottom, color=colour, label=col.replace("_", " "))
        bottom += v[col].to_numpy()
    ax.set_ylabel("units (mean over models)")
    ax.set_title("c  Overlap of the two localizers", loc="left")
    ax.legend(frameon=False, fontsize=6)
    return fig
