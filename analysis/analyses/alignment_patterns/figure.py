"""Figure 7: the alignment-pattern analysis (brain patterns, their stability, the systems'
agreement against their conventional scores, the ranks)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from analysis.report.figures.style import CONTROL, FULL_WIDTH

#: measure -> (short title, the alignment's unit for the colour bar)
MEASURE_TITLES = {"rsa": ("RSA", "partial RDM r"),
                  "predictivity": ("predictivity", "CV linear predictivity r")}


def alignment_patterns(brain: pd.DataFrame, stability: pd.DataFrame, layers: pd.DataFrame,
                       systems: pd.DataFrame, regions: list[str], names: dict[str, str],
                       colors: dict[str, str]) -> plt.Figure:
    """Row per measure (RSA: a-c, predictivity: d-f): the region × region alignment (brain,
    between subjects; the diagonal, a region with itself, is not coloured); per region, the
    held-out-subject stability (grey dots: subjects) and each system's APA agreement (the chance
    interval shaded); each system's conventional and APA rank with their bootstrap intervals
    (RSA: also the plain RDM correlation's rank, without an interval). names/colors: system ->
    display name / colour (controls absent from colors are drawn in the control grey). Drawn at
    the text width."""
    measures = [m for m in ("rsa", "predictivity") if m in set(brain["measure"])]
    fig, axes = plt.subplots(len(measures), 3, figsize=(FULL_WIDTH, 2.55 * len(measures) + 0.5),
                             gridspec_kw={"width_ratios": [1.0, 1.55, 0.85]}, squeeze=False,
                             layout="constrained")
    handles: dict[str, Line2D] = {
        "held-out": Line2D([], [], color="#bbbbbb", marker="o", ls="", ms=2.5,
                           label="held-out subject vs the others")}
    for k_row, (row, measure) in enumerate(zip(axes, measures, strict=True)):
        la, lb, lc = list("abcdef"[3 * k_row: 3 * k_row + 3])
        b = brain[brain["measure"] == measure].pivot(index="region_a", columns="region_b",
                                                     values="alignment")
        b = b.reindex(index=regions, columns=regions).to_numpy(dtype=float)
        np.fill_diagonal(b, np.nan)
        ax = row[0]
        vmax = float(np.nanmax(np.abs(b))) if np.isfinite(b).any() else 1.0
        cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#eeeeee")
        im = ax.imshow(b, cmap=cmap, vmin=-vmax, vmax=vmax)
        ax.set_xticks(range(len(regions)), regions, rotation=90)
        ax.set_yticks(range(len(regions)), regions)
        title, unit = MEASURE_TITLES[measure]
        ax.set_title(f"{la}  brain, {title}", loc="left", fontweight="bold")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03, label=unit)
        ax = row[1]
        st = stability[stability["measure"] == measure]
        x = {r: k for k, r in enumerate(regions)}
        ax.scatter([x[r] for r in st["region"]], st["agreement"], s=3, color="#bbbbbb",
                   zorder=1, linewidths=0)
        ly = layers[layers["measure"] == measure]
        sys_t = systems[systems["measure"] == measure].set_index("system")
        systems_here = list(sys_t.index)
        width = 0.7 / max(1, len(systems_here))
        for k, name in enumerate(systems_here):
            g = ly[ly["system"] == name].groupby("region", sort=False).agg(
                agreement=("agreement", "mean"), low=("null_low", "first"),
                high=("null_high", "first"))
            g = g.reindex([r for r in regions if r in g.index])
            pos = np.array([x[r] for r in g.index]) - 0.35 + width * (k + 0.5)
            color = colors.get(name, CONTROL)
            ax.vlines(pos, g["low"], g["high"], color=color, alpha=0.25, lw=2)
            ax.scatter(pos, g["agreement"], s=7, color=color, marker="D", zorder=3,
                       linewidths=0)
            handles.setdefault(name, Line2D([], [], color=color, marker="D", ls="", ms=3,
                                            label=names.get(name, name.replace("_", " "))))
        ax.axhline(0, color="#999999", lw=0.5)
        ax.set_xticks(range(len(regions)), regions, rotation=90)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("pattern agreement (partial r)")
        ax.set_title(f"{lb}  layer reproduces the region's pattern?", loc="left",
                     fontweight="bold")
        ax = row[2]
        # RSA: the plain RDM correlation's rank beside the partial score's (layers chosen on
        # the partial score; no bootstrap interval); predictivity is plain already
        kinds = [("conventional", "conv.")]
        if measure == "rsa" and "rank_conventional_plain" in sys_t:
            kinds = [("conventional", "conv.\npartial"), ("conventional_plain", "conv.\nplain")]
        kinds.append(("apa", "APA"))
        for k, name in enumerate(systems_here):
            r = sys_t.loc[name]
            color = colors.get(name, CONTROL)
            shift = (k - (len(systems_here) - 1) / 2) * 0.1
            for j, (kind, _) in enumerate(kinds):
                err = ([[r[f"rank_{kind}"] - r[f"rank_{kind}_boot_low"]],
                        [r[f"rank_{kind}_boot_high"] - r[f"rank_{kind}"]]]
                       if f"rank_{kind}_boot_low" in r else None)
                ax.errorbar(j + shift, r[f"rank_{kind}"], yerr=err, fmt="o", color=color,
                            ms=2.5, capsize=1.5, lw=0.6)
            ax.plot(np.arange(len(kinds)) + shift, [r[f"rank_{kind}"] for kind, _ in kinds],
                    color=color, lw=0.5)
        ax.set_xticks(range(len(kinds)), [label for _, label in kinds])
        ax.set_xlim(-0.5, len(kinds) - 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.invert_yaxis()
        ax.set_ylabel("rank (1 = best)")
        ax.set_title(f"{lc}  ranks", loc="left", fontweight="bold")
    fig.legend(handles=list(handles.values()), loc="outside lower center",
               ncol=min(len(handles), 3))
    return fig
