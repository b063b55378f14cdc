"""Figure 2: category-selective units in trained vs untrained networks, their responses to an
independent image set, and Finding 1's comparison at an equal number of units (top k)."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.report.figures.style import (
    CATEGORY_COLORS,
    FULL_WIDTH,
    TRAINED,
    UNTRAINED,
    empty_panel,
)

NO_UNITS = "no unit above the threshold\nin the last read layer of any network"


def layer_labels(layers: list[str]) -> tuple[list[str], str]:
    """Short tick labels for layer names and the axis label naming what they share:
    ["blocks.4", "blocks.5"] -> (["4", "5"], "layer (blocks.N)")."""
    prefix = os.path.commonprefix(layers) if len(layers) > 1 else ""
    prefix = prefix[:max(prefix.rfind("."), prefix.rfind("_")) + 1]
    if not prefix:
        return layers, "layer"
    return [lay[len(prefix):] for lay in layers], f"layer ({prefix}N)"


def draw(counts: pd.DataFrame, profiles: pd.DataFrame, generalisation: pd.DataFrame,
         venn: pd.DataFrame, last_layer: dict[str, str], categories: list[str],
         names: dict[str, str], colors: dict[str, str]) -> plt.Figure:
    """counts/profiles/generalisation/venn: the select-units tables; last_layer: model -> layer
    shown in b-f; categories: the compared categories; names: model -> display name; colors:
    model -> its colour (style.network_colors). Drawn at the text width."""
    fig = plt.figure(figsize=(FULL_WIDTH, 4.9), layout="constrained")
    grid = fig.add_gridspec(2, 3)
    _units_per_layer(fig.add_subplot(grid[0, 0]), counts, categories)
    p = profiles[profiles["layer"] == profiles["model"].map(last_layer)]
    ax_b = fig.add_subplot(grid[0, 1])
    ax_c = fig.add_subplot(grid[0, 2], sharey=ax_b)
    for ax, trained, letter in ((ax_b, True, "b"), (ax_c, False, "c")):
        _profile(ax, p[p["trained"].astype(bool) == trained], categories)
        ax.set_title(f"{letter}  {'trained' if trained else 'untrained'}, second set",
                     loc="left", fontweight="bold")
    ax_b.set_ylabel("mean response (z)")
    g = generalisation[(generalisation["layer"] == generalisation["model"].map(last_layer))
                       & generalisation["category"].isin(categories)]
    v = venn[(venn["layer"] == venn["model"].map(last_layer)) & venn["category"].isin(categories)]
    k = int(g["k_equal"].iloc[0]) if len(g) else 0
    ax = fig.add_subplot(grid[1, 0])
    _per_network(ax, g, "t_equal_k", "se_images_equal_k", categories, colors)
    ax.set_ylabel(f"t on the second set\n(top {k} fLoc units)")
    ax.set_title("d  generalisation, equal k", loc="left", fontweight="bold")
    ax = fig.add_subplot(grid[1, 1])
    _per_network(ax, v, "excess_equal_k", None, categories, colors)
    ax.set_ylabel(f"top-{k} overlap of the\nlocalizers minus chance")
    ax.set_title("e  localizer overlap, equal k", loc="left", fontweight="bold")
    _beyond_untrained(fig.add_subplot(grid[1, 2]), g, categories)
    units = [Line2D([], [], color=CATEGORY_COLORS[c], marker="o", ms=3,
                    label=f"{c}-selected units (b, c)") for c in categories]
    networks = [Line2D([], [], color=colors.get(m, "#555555"), marker="o", ls="", ms=3,
                       label=names.get(m, m)) for m in dict.fromkeys(g["model"])]
    fig.legend(handles=_rows(units, networks), loc="outside lower center",
               ncol=max(len(units), len(networks)))
    return fig


def _rows(first: list[Line2D], second: list[Line2D]) -> list[Line2D]:
    """Legend handles ordered so a legend with max(len) columns shows ``first`` on its first
    row and ``second`` on its second (matplotlib fills legends column by column)."""
    n = max(len(first), len(second))
    blank = Line2D([], [], ls="", label=" ")
    first, second = first + [blank] * (n - len(first)), second + [blank] * (n - len(second))
    return [h for pair in zip(first, second, strict=True) for h in pair]


def _units_per_layer(ax: plt.Axes, counts: pd.DataFrame, categories: list[str]) -> None:
    """Percent of units above threshold per layer and category (fLoc): trained networks' mean
    and range, untrained seeds' mean and range."""
    c = counts[counts["localizer"] == "floc"]
    layers = list(dict.fromkeys(c["layer"]))
    short, what = layer_labels(layers)
    for j, cat in enumerate(categories):
        for trained, colour, dx in ((True, TRAINED, -0.15), (False, UNTRAINED, 0.15)):
            g = c[(c["category"] == cat) & (c["trained"].astype(bool) == trained)]
            if g.empty:
                continue
            s = g.groupby("layer")["pct_selected"].agg(["mean", "min", "max"]).reindex(layers)
            x = np.arange(len(layers)) + j * (len(layers) + 1) + dx
            ax.errorbar(x, s["mean"], yerr=[s["mean"] - s["min"], s["max"] - s["mean"]],
                        fmt="o", ms=2.5, color=colour, elinewidth=0.6,
                        label=("trained" if trained else "untrained") if j == 0 else None)
    ax.set_xticks([j * (len(layers) + 1) + i for j in range(len(categories))
                   for i in range(len(layers))], [s for _ in categories for s in short])
    for j, cat in enumerate(categories):
        ax.text(j * (len(layers) + 1) + (len(layers) - 1) / 2, -0.11, cat, ha="center",
                va="top", transform=ax.get_xaxis_transform(), color=CATEGORY_COLORS[cat])
    ax.set_xlabel(what, labelpad=10)
    ax.set_ylabel("% units selective (fLoc)")
    ax.set_title("a  selective units per layer", loc="left", fontweight="bold")
    ax.legend(loc="upper right")


def _profile(ax: plt.Axes, p: pd.DataFrame, categories: list[str]) -> None:
    """Mean z-scored response of each category's selected units to each image category of the
    second set: mean over networks, bar = range over networks."""
    img_cats = list(dict.fromkeys(p["image_category"]))
    for i, cat in enumerate(categories):
        g = p[p["selected_for"] == cat].groupby("image_category")["mean_z"]
        s = g.agg(["mean", "min", "max"]).reindex(img_cats)
        if s["mean"].isna().all():
            continue
        x = np.arange(len(img_cats)) + 0.1 * (i - (len(categories) - 1) / 2)
        ax.errorbar(x, s["mean"], yerr=[s["mean"] - s["min"], s["max"] - s["mean"]],
                    marker="o", ms=2.5, lw=0.8, elinewidth=0.6, color=CATEGORY_COLORS[cat])
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set_xticks(range(len(img_cats)), img_cats)
    ax.set_xlabel("image category")
    if not p["mean_z"].notna().any():
        empty_panel(ax, NO_UNITS)


def _per_network(ax: plt.Axes, table: pd.DataFrame, column: str, se: str | None,
                 categories: list[str], colors: dict[str, str]) -> None:
    """One point per network and category (trained left, untrained seeds right), with +/- one
    bootstrap SE when ``se`` is given; * above a trained network beyond its untrained ones."""
    models = list(dict.fromkeys(table["model"]))
    for i, cat in enumerate(categories):
        for j, model in enumerate(models):
            rows = table[(table["category"] == cat) & (table["model"] == model)]
            if rows.empty:
                continue
            r = rows.iloc[0]
            x = i + 0.5 * (j - (len(models) - 1) / 2) / max(len(models), 1)
            ax.errorbar(x, r[column], yerr=None if se is None else r[se], fmt="o", ms=2.5,
                        color=colors.get(model, "#555555"), capsize=1.5, elinewidth=0.6)
            if bool(r["trained"]) and r["beyond_untrained"] is True:
                ax.annotate("*", (x, r[column]), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom")
    ax.set_xticks(range(len(categories)), categories)
    ax.axhline(0, color="#999999", lw=0.5)


def _beyond_untrained(ax: plt.Axes, g: pd.DataFrame, categories: list[str]) -> None:
    """Each trained network's generalisation t minus its untrained seeds' mean, with the
    comparative interval; * where the decision is 'beyond untrained'."""
    t = g[g["trained"].astype(bool)]
    for i, cat in enumerate(categories):
        rows = t[t["category"] == cat]
        for j, r in enumerate(rows.itertuples()):
            xj = i + 0.15 * (j - (len(rows) - 1) / 2)
            ax.errorbar(xj, r.difference, yerr=[[r.difference - r.ci_low],
                                                 [r.ci_high - r.difference]],
                        fmt="o", ms=3, color=CATEGORY_COLORS[cat], capsize=1.5, elinewidth=0.6)
            if r.beyond_untrained is True:
                ax.annotate("*", (xj, r.ci_high), xytext=(0, 1), textcoords="offset points",
                            ha="center", va="bottom")
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set_xticks(range(len(categories)), categories)
    ax.set_ylabel("t, trained minus\nuntrained mean")
    ax.set_title("f  beyond untrained", loc="left", fontweight="bold")
