"""Figure 4: robustness over localizers, regions and t-thresholds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

MEASURES = ["univariate", "multivariate"]


def draw(venn: pd.DataFrame, gaps: pd.DataFrame, last_layer: dict[str, str],
         threshold: float, categories: list[str]) -> plt.Figure:
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.2), constrained_layout=True)
    ax = axes[0]
    v = venn[(venn["layer"] == venn["model"].map(last_layer)) & venn["trained"]
             & venn["category"].isin(categories)]
    v = v.groupby("category")[["floc_only", "both", "localizer2_only"]].mean()
    bottom = np.zeros(len(v))
    for col, colour in (("floc_only", "#bbbbbb"), ("both", "#333333"),
                        ("localizer2_only", "#888888")):
        ax.bar(v.index, v[col], bottom=bottom, color=colour, label=col.replace("_", " "))
        bottom += v[col].to_numpy()
    ax.set_title("a  Units per localizer (trained)", loc="left")
    ax.legend(frameon=False, fontsize=6)
    ax = axes[1]
    g = gaps[gaps["threshold"] == threshold]
    labels = []
    for i, ((roi, loc), d) in enumerate(g.groupby(["roi", "localizer"], sort=True)):
        for k, measure in enumerate(MEASURES):
            r = d[d["measure"] == measure]
            if len(r):
                ax.plot([i + 0.2 * k] * 2, [r["hn"].iloc[0], r["hh"].iloc[0]], color="#bbbbbb",
                        lw=1)
                ax.scatter(i + 0.2 * k, r["hh"].iloc[0], s=10, color="#444444",
                           marker="o" if k == 0 else "s")
                ax.scatter(i + 0.2 * k, r["hn"].iloc[0], s=10, color="#c0392b",
                           marker="o" if k == 0 else "s")
        labels.append(f"{roi}\n{'fLoc' if loc == 'floc' else 'loc2'}")
    ax.set_xticks(range(len(labels)), labels, fontsize=5)
    ax.set_ylabel("noise-corrected r (o uni, s multi)")
    ax.set_title(f"b  HH (grey) vs trained HN (red), t > {threshold:g}", loc="left")
    ax = axes[2]
    for roi, d in gaps[(gaps["measure"] == "univariate") & (gaps["localizer"] == "floc")
                       ].groupby("roi"):
        ax.plot(d["threshold"], d["mean_voxels"], marker="o", ms=3, label=roi)
    ax.set_xlabel("t-threshold")
    ax.set_ylabel("selected voxels (mean over subjects)")
    ax.set_title("c  Fewer, more selective voxels", loc="left")
    ax.legend(frameon=False, fontsize=5)
    ax = axes[3]
    for measure, ls in zip(MEASURES, ("-", "--")):
        d = gaps[gaps["measure"] == measure].groupby("threshold")["gap_corrected"]
        ax.errorbar(d.mean().index, d.mean(), yerr=d.std(), ls=ls, marker="o", ms=3,
                    color="#333333", label=measure)
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set_xlabel("t-threshold")
    ax.set_ylabel("HH - HN, bias-corrected\n(mean ± SD over regions, localizers)")
    ax.set_title("d  The gap across thresholds (trained)", loc="left")
    ax.legend(frameon=False, fontsize=6)
    return fig
