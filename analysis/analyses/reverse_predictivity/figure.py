"""The reverse-predictivity figure: forward vs reverse EV, the units' reverse EV, and where
the selective units fall among common and unique units."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import FULL_WIDTH, empty_panel

#: Directions and unit groups (not the trained/untrained red and blue, nor a category colour).
FORWARD, REVERSE = "#762a83", "#8c6d31"
HUMAN_LIGHT, SELECTIVE, OTHER = "#bbbbbb", "#222222", "#aaaaaa"
#: Legends under their panel, outside the data.
BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.22)}

NO_REFERENCE = ("no region has 2 subjects with >= 2 selected voxels: no subject-to-subject "
                "reference (results/analyses/reverse_predictivity/excluded.csv)")


def draw_reverse(subjects: pd.DataFrame, pairs: pd.DataFrame, units: pd.DataFrame,
                 models: list[str], regions: dict[str, str]) -> plt.Figure:
    """a: forward vs reverse EV per subject with the subject-to-subject reference; b: the
    units' reverse EV (mean over subjects), selective vs other; c: shares of common and unique
    units (``reverse_predictivity.common_rule``) among selective and other units."""
    fig, axes = plt.subplots(1, 3, figsize=(FULL_WIDTH, 3.3), layout="constrained")
    ax = axes[0]
    names = list(regions.values())
    for k, region in enumerate(names):
        ref = pairs[pairs["region"] == region]["ev"]
        ax.bar(k - 0.27, ref.mean(), 0.25, color=HUMAN_LIGHT, label="subject → subject"
               if k == 0 else None)
        s = subjects[(subjects["region"] == region) & (subjects["model"].isin(models))
                     & (subjects["variant"] == subjects["model"])]
        g = s.groupby("subject")[["forward_ev", "reverse_ev"]].mean()
        for off, col, lab, c in ((0.0, "forward_ev", "network → voxels", FORWARD),
                                 (0.27, "reverse_ev", "voxels → network units",
                                  REVERSE)):
            ax.bar(k + off, g[col].mean(), 0.25, color=c, alpha=0.7,
                   label=lab if k == 0 else None)
            ax.scatter(np.full(len(g), k + off), g[col], s=3, color="#222222", zorder=3,
                       linewidths=0)
        for _, row in g.iterrows():
            ax.plot([k, k + 0.27], [row["forward_ev"], row["reverse_ev"]],
                    color="#888888", lw=0.4)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("normalised EV")
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_title("a  forward vs reverse", loc="left", fontweight="bold")
    if len(pairs):
        ax.legend(**BELOW)
    else:
        empty_panel(ax, NO_REFERENCE)
    ax = axes[1]
    u = units[units["model"].isin(models)]
    bins = np.linspace(min(-0.2, float(u["reverse_ev_mean"].min())),
                       max(1.0, float(u["reverse_ev_mean"].max())), 40)
    for sel, c, lab in ((False, OTHER, "other units"), (True, SELECTIVE, "selective units")):
        v = u[u["selective"] == sel]["reverse_ev_mean"]
        if len(v):
            ax.hist(v, bins=bins, color=c, alpha=0.6, density=True, label=f"{lab} (n={len(v)})")
    ref_all = pairs["ev"].mean()
    ax.axvline(ref_all, color="#333333", ls="--", lw=0.8, label="subject → subject")
    ax.set_xlabel("reverse EV of a unit\n(mean over subjects, regions)")
    ax.set_ylabel("density")
    ax.set_title("b  units from voxels", loc="left", fontweight="bold")
    if len(u):
        ax.legend(**BELOW)
    else:
        empty_panel(ax, NO_REFERENCE)
    ax = axes[2]
    s = subjects[subjects["model"].isin(models) & (subjects["variant"] == subjects["model"])]
    for k, region in enumerate(names):
        cols = [f"{kind}_share_{group}" for kind in ("common", "unique")
                for group in ("selective", "other")]
        g = s[s["region"] == region].groupby("subject")[cols].mean()
        for off, col in zip((-0.3, -0.1, 0.1, 0.3), cols, strict=True):
            kind, group = col.split("_share_")
            ax.bar(k + off, g[col].mean(), 0.18, alpha=0.7,
                   color=SELECTIVE if group == "selective" else OTHER,
                   hatch="////" if kind == "unique" else None,
                   label=f"{kind}, {group}" if k == 0 else None)
            ax.scatter(np.full(len(g), k + off), g[col], s=3, color="#222222", zorder=3,
                       linewidths=0)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("share of units")
    ax.set_title("c  common and unique units", loc="left", fontweight="bold")
    if len(s):
        ax.legend(**BELOW, ncols=2)
    else:
        empty_panel(ax, NO_REFERENCE)
    return fig
