"""Figure of the selectivity-metrics study (after Lado & Dobs, Fig. 1). Every percentage is
drawn with its null floor (the % on permuted fLoc labels at that layer's sparsity): a dotted
line in the metric's colour for units, a grey tick (mean) with a whisker to its 95th
percentile for kernels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.report.figures.style import FULL_WIDTH, TRAINED, UNTRAINED

#: One colour per selectivity metric (panels a, b and the shared legend), in the study's order.
METRIC_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")


def _upright(ax: plt.Axes) -> None:
    """Tick labels turned upright (long names do not collide)."""
    plt.setp(ax.get_xticklabels(), rotation=90)


def draw(pct: pd.DataFrame, cons: pd.DataFrame, corr: pd.DataFrame, dec: pd.DataFrame,
         lesion_layers: dict[str, str]) -> plt.Figure:
    """Drawn at the text width: a-c on top, d-e below, the metrics' legend beside e.
    ``lesion_layers``: model -> the layer the study lesions (panel b shows those layers)."""
    fig, grid = plt.subplots(2, 3, figsize=(FULL_WIDTH, 4.6), layout="constrained")
    axes = [*grid[0], *grid[1][:2]]
    metrics = list(dict.fromkeys(pct["metric"]))  # in the order the study computed them
    colors = {m: METRIC_COLORS[i % len(METRIC_COLORS)] for i, m in enumerate(metrics)}
    tr = pct[pct["trained"]]
    layers = list(dict.fromkeys(tr["layer"]))
    ax = axes[0]
    for metric in metrics:
        g = tr[(tr["level"] == "unit") & (tr["metric"] == metric)].groupby("layer")
        ax.plot(layers, g["pct_selective"].mean().reindex(layers), marker="o", ms=3,
                color=colors[metric])
        ax.plot(layers, g["pct_null"].mean().reindex(layers), ls=":", lw=1,
                color=colors[metric])
    ax.set_title("a  units (trained)", loc="left", fontweight="bold")
    ax.set_ylabel("% face-selective")
    _upright(ax)
    ax = axes[1]
    g = tr[(tr["layer"] == tr["model"].map(lesion_layers)) & (tr["level"] != "unit")]
    levels = ["kernel_mean", "kernel_l2", "kernel_max"]
    w = 0.8 / len(metrics)
    for i, metric in enumerate(metrics):
        s = g[g["metric"] == metric].groupby("level")[["pct_selective", "pct_null",
                                                       "pct_null_q95"]].mean().reindex(levels)
        x = np.arange(3) + i * w
        ax.bar(x, s["pct_selective"], width=w, color=colors[metric])
        up = np.clip(s["pct_null_q95"] - s["pct_null"], 0, None)  # a rare large value can
        ax.errorbar(x, s["pct_null"], yerr=[np.zeros(3), up],  # put the mean above the q95
                    fmt="_", ms=6, color="#444444", elinewidth=0.8, capsize=0)
    ax.set_ylim(0, 1.15 * max(g["pct_selective"].max(), 1))
    ax.set_xticks(np.arange(3) + 0.4 - w / 2, ["mean", "L2", "max"])
    ax.set_xlabel("kernel pooling")
    ax.set_ylabel("% face-selective kernels")
    ax.set_title(f"b  kernels ({', '.join(dict.fromkeys(lesion_layers.values()))})",
                 loc="left", fontweight="bold")
    ax = axes[2]
    if not corr.empty:
        ax.bar(corr["metric"], corr["spearman"],
               color=[colors.get(m, "#555555") for m in corr["metric"]])
    ax.axhline(0, color="#999999", lw=0.5)
    _upright(ax)
    ax.set_title("c  metric vs lesion rank", loc="left", fontweight="bold")
    ax.set_ylabel("Spearman r with accuracy drop\n(> 0: agrees with lesioning)")
    ax = axes[3]
    for trained, colour, dx in ((True, TRAINED, -0.15), (False, UNTRAINED, 0.15)):
        g = dec[dec["trained"] == trained].groupby("metric")[
            ["accuracy", "ci_low", "ci_high"]].mean().reindex(list(metrics))
        x = np.arange(len(metrics)) + dx
        ax.errorbar(x, g["accuracy"],
                    yerr=[g["accuracy"] - g["ci_low"], g["ci_high"] - g["accuracy"]],
                    fmt="o", ms=3, color=colour, label="trained" if trained else "untrained")
    if not dec.empty:
        ax.axhline(dec["chance"].iloc[0], color="#999999", ls=":", lw=0.8, label="chance")
    ax.set_xticks(np.arange(len(metrics)), metrics)
    _upright(ax)
    ax.set_ylabel("identity accuracy")
    ax.set_title("d  identity decoding, equal N", loc="left", fontweight="bold")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    ax = axes[4]
    u = cons[cons["level"] == "unit"]
    for trained, colour in ((True, TRAINED), (False, UNTRAINED)):
        g = u[u["trained"] == trained].groupby("layer")["spearman"]
        m, se = g.mean().reindex(layers), g.sem().reindex(layers)
        ax.errorbar(layers, m, yerr=se, marker="o", ms=3, color=colour,
                    label="trained" if trained else "untrained")
    ax.set_title("e  inter-metric consistency", loc="left", fontweight="bold")
    ax.set_ylabel("mean Spearman r (units)")
    _upright(ax)
    key = grid[1][2]
    key.axis("off")
    key.legend(handles=[Line2D([], [], color=colors[m], marker="o", ms=3, label=m)
                        for m in metrics]
               + [Line2D([], [], color="#555555", ls=":", label="null floor (units)"),
                  Line2D([], [], color="#444444", marker="_", ls="", ms=6,
                         label="null floor (kernels),\nwhisker to its 95th pct")],
               loc="center left", title="metric")
    return fig
