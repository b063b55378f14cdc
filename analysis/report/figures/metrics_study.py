"""Figure of the selectivity-metrics study (after Lado & Dobs, Fig. 1). Every percentage is
drawn with its null floor (the % on permuted fLoc labels at that layer's sparsity): a dotted
line in the metric's colour for units, a grey tick (mean) with a whisker to its 95th
percentile for kernels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import TRAINED, UNTRAINED


def draw(pct: pd.DataFrame, cons: pd.DataFrame, corr: pd.DataFrame, dec: pd.DataFrame,
         lesion_layer: str) -> plt.Figure:
    fig, axes = plt.subplots(1, 5, figsize=(13, 3), constrained_layout=True)
    metrics = list(dict.fromkeys(pct["metric"]))  # in the order the study computed them
    tr = pct[pct["trained"]]
    layers = list(dict.fromkeys(tr["layer"]))
    ax = axes[0]
    for metric in metrics:
        g = tr[(tr["level"] == "unit") & (tr["metric"] == metric)].groupby("layer")
        line, = ax.plot(layers, g["pct_selective"].mean().reindex(layers), marker="o", ms=3,
                        label=metric)
        ax.plot(layers, g["pct_null"].mean().reindex(layers), ls=":", lw=1,
                color=line.get_color())
    ax.plot([], [], ls=":", lw=1, color="#555555", label="null floor")
    ax.set_title("a  Units (trained)", loc="left")
    ax.set_ylabel("% face-selective")
    ax.legend(frameon=False, fontsize=6)
    ax = axes[1]
    g = tr[(tr["layer"] == lesion_layer) & (tr["level"] != "unit")]
    levels = ["kernel_mean", "kernel_l2", "kernel_max"]
    w = 0.8 / len(metrics)
    for i, metric in enumerate(metrics):
        s = g[g["metric"] == metric].groupby("level")[["pct_selective", "pct_null",
                                                       "pct_null_q95"]].mean().reindex(levels)
        x = np.arange(3) + i * w
        ax.bar(x, s["pct_selective"], width=w)
        up = np.clip(s["pct_null_q95"] - s["pct_null"], 0, None)  # a rare large value can
        ax.errorbar(x, s["pct_null"], yerr=[np.zeros(3), up],  # put the mean above the q95
                    fmt="_", ms=6, color="#444444", elinewidth=0.8, capsize=0)
    ax.text(0.02, 0.98, f"null floor (grey, to its 95th pct) ≤ {g['pct_null_q95'].max():.1f} %",
            transform=ax.transAxes, va="top", fontsize=6)
    ax.set_ylim(0, 1.15 * max(g["pct_selective"].max(), 1))
    ax.set_xticks(np.arange(3) + 0.3, ["mean", "L2", "max"])
    ax.set_title(f"b  Kernels, {lesion_layer}", loc="left")
    ax = axes[2]
    if not corr.empty:
        ax.bar(corr["metric"], corr["spearman"], color="#555555")
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set_title("c  Metric vs lesion rank", loc="left")
    ax.set_ylabel("Spearman r with accuracy drop\n(> 0: agrees with lesioning)")
    ax = axes[3]
    for trained, colour, dx in ((True, TRAINED, -0.15), (False, UNTRAINED, 0.15)):
        g = dec[dec["trained"] == trained].groupby("metric")[["accuracy", "ci_low", "ci_high"]].mean()
        g = g.reindex(list(metrics))
        x = np.arange(len(metrics)) + dx
        ax.errorbar(x, g["accuracy"], yerr=[g["accuracy"] - g["ci_low"], g["ci_high"] - g["accuracy"]],
                    fmt="o", ms=3, color=colour, label="trained" if trained else "untrained")
    if not dec.empty:
        ax.axhline(dec["chance"].iloc[0], color="#999999", ls=":", lw=0.8, label="chance")
    ax.set_xticks(np.arange(len(metrics)), metrics, fontsize=6)
    ax.set_title("d  Identity decoding, equal N", loc="left")
    ax.legend(frameon=False, fontsize=6)
    ax = axes[4]
    u = cons[cons["level"] == "unit"]
    for trained, colour in ((True, TRAINED), (False, UNTRAINED)):
        g = u[u["trained"] == trained].groupby("layer")["spearman"]
        m, se = g.mean().reindex(layers), g.sem().reindex(layers)
        ax.errorbar(layers, m, yerr=se, marker="o", ms=3, color=colour,
                    label="trained" if trained else "untrained")
    ax.set_title("e  Inter-metric consistency", loc="left")
    ax.set_ylabel("mean Spearman r (units)")
    ax.legend(frameon=False, fontsize=6)
    return fig
