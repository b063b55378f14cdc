"""Figure 2: category-selective units in trained vs untrained networks, their responses to an
independent image set, and Finding 1's comparison at an equal number of units (top k)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import CATEGORY_COLORS, TRAINED, UNTRAINED, empty_panel

NO_UNITS = "no unit above the threshold\nin the last read layer of any network"


def draw(counts: pd.DataFrame, profiles: pd.DataFrame, venn: pd.DataFrame,
         generalisation: pd.DataFrame, last_layer: dict[str, str], categories: list[str]
         ) -> plt.Figure:
    """counts/profiles/venn/generalisation: the select-units tables; last_layer: model -> layer
    shown in b-f; categories: the compared categories."""
    fig, axes = plt.subplots(2, 3, figsize=(10, 6.4), constrained_layout=True)
    axes = axes.ravel()
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
        ax.text(j * (len(layers) + 1) + (len(layers) - 1) / 2, 0.99, cat, ha="center",
                va="top", transform=ax.get_xaxis_transform(), color=CATEGORY_COLORS[cat])
    ax.set_ylabel("% selective units (t > threshold)")
    ax.set_title("a  Selective units per layer", loc="left")
    ax.legend(frameon=False, fontsize=6, loc="upper center", bbox_to_anchor=(0.55, 0.9))
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
    if p["mean_z"].notna().any():
        ax.legend(frameon=False, fontsize=5)
    else:
        empty_panel(ax, NO_UNITS)
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
    if not bottom.any():
        empty_panel(ax, NO_UNITS)
    g = generalisation[(generalisation["layer"] == generalisation["model"].map(last_layer))
                       & generalisation["category"].isin(categories)]
    v = venn[(venn["layer"] == venn["model"].map(last_layer)) & venn["category"].isin(categories)]
    k = int(g["k_equal"].iloc[0]) if len(g) else 0
    _per_network(axes[3], g, "t_equal_k", "se_images_equal_k", categories)
    axes[3].set_ylabel(f"t on independent set, top {k} fLoc units")
    axes[3].set_title("d  Generalisation at equal k", loc="left")
    _per_network(axes[4], v, "excess_equal_k", None, categories)
    axes[4].set_ylabel(f"top-{k} overlap minus chance (fraction)")
    axes[4].set_title("e  Localizer overlap at equal k", loc="left")
    ax = axes[5]
    t = g[g["trained"].astype(bool)]
    for i, cat in enumerate(categories):
        rows = t[t["category"] == cat]
        for j, r in enumerate(rows.itertuples()):
            xj = i + 0.15 * (j - (len(rows) - 1) / 2)
            ax.errorbar(xj, r.difference, yerr=[[r.difference - r.ci_low],
                                                 [r.ci_high - r.difference]],
                        fmt="o", ms=4, color=CATEGORY_COLORS[cat], capsize=2)
            if r.beyond_untrained is True:
                ax.text(xj, r.ci_high, "*", ha="center", va="bottom")
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set_xticks(range(len(categories)), categories)
    ax.set_ylabel("t: trained minus untrained mean")
    ax.set_title("f  Beyond matched untrained (* decision)", loc="left")
    return fig


def _per_network(ax: plt.Axes, table: pd.DataFrame, column: str, se: str | None,
                 categories: list[str]) -> None:
    """One point per network and category (trained left, untrained seeds right), with +/- one
    bootstrap SE when ``se`` is given; * above a trained network beyond its untrained ones."""
    for i, cat in enumerate(categories):
        for trained, colour, dx in ((True, TRAINED, -0.15), (False, UNTRAINED, 0.15)):
            rows = table[(table["category"] == cat) & (table["trained"].astype(bool) == trained)]
            x = i + dx + np.linspace(-0.06, 0.06, len(rows)) if len(rows) > 1 else [i + dx]
            ax.errorbar(x, rows[column], yerr=None if se is None else rows[se], fmt="o",
                        ms=3, color=colour, capsize=2,
                        label=("trained" if trained else "untrained seeds") if i == 0 else None)
            for xi, r in zip(x, rows.itertuples()):
                if trained and r.beyond_untrained is True:
                    ax.text(xi, getattr(r, column), " *", va="center")
    ax.set_xticks(range(len(categories)), categories)
    ax.legend(frameon=False, fontsize=6)
