"""Figure 7: the alignment-pattern analysis (brain patterns, their stability, the systems'
agreement against their conventional scores, the ranks)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import system_color

MEASURE_TITLES = {"rsa": "RSA (partial RDM r)", "predictivity": "CV linear predictivity (r)"}


def alignment_patterns(brain: pd.DataFrame, stability: pd.DataFrame, layers: pd.DataFrame,
                       systems: pd.DataFrame, regions: list[str]) -> plt.Figure:
    """Row per measure (RSA: a-c, predictivity: d-f): the region × region alignment (brain,
    between subjects); per region, the held-out-subject stability (grey dots: subjects) and
    each system's APA agreement (the chance interval shaded); each system's conventional and
    APA rank with their bootstrap 95 % intervals (RSA: also the plain RDM correlation's
    rank, without an interval)."""
    measures = [m for m in ("rsa", "predictivity") if m in set(brain["measure"])]
    fig, axes = plt.subplots(len(measures), 3, figsize=(11, 3.3 * len(measures)),
                             gridspec_kw={"width_ratios": [1.0, 1.6, 1.0]}, squeeze=False)
    for k_row, (row, measure) in enumerate(zip(axes, measures, strict=True)):
        la, lb, lc = list("abcdef"[3 * k_row: 3 * k_row + 3])
        b = brain[brain["measure"] == measure].pivot(index="region_a", columns="region_b",
                                                     values="alignment")
        b = b.reindex(index=regions, columns=regions)
        ax = row[0]
        vmax = float(np.nanmax(np.abs(b.to_numpy()))) or 1.0
        im = ax.imshow(b.to_numpy(), cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_xticks(range(len(regions)), regions, rotation=90, fontsize=6)
        ax.set_yticks(range(len(regions)), regions, fontsize=6)
        ax.set_title(f"{la}  Brain alignment patterns\n{MEASURE_TITLES[measure]}", loc="left",
                     fontsize=8)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
        ax = row[1]
        st = stability[stability["measure"] == measure]
        x = {r: k for k, r in enumerate(regions)}
        ax.scatter([x[r] for r in st["region"]], st["agreement"], s=6, color="#bbbbbb",
                   label="held-out subject vs others", zorder=1)
        ly = layers[layers["measure"] == measure]
        sys_t = systems[systems["measure"] == measure].set_index("system")
        names = list(sys_t.index)
        width = 0.7 / max(1, len(names))
        for k, name in enumerate(names):
            g = ly[ly["system"] == name].groupby("region", sort=False).agg(
                agreement=("agreement", "mean"), low=("null_low", "first"),
                high=("null_high", "first"))
            g = g.reindex([r for r in regions if r in g.index])
            pos = np.array([x[r] for r in g.index]) - 0.35 + width * (k + 0.5)
            color = system_color(sys_t.loc[name, "kind"], bool(sys_t.loc[name, "trained"]))
            ax.vlines(pos, g["low"], g["high"], color=color, alpha=0.25, lw=3)
            ax.scatter(pos, g["agreement"], s=14, color=color, marker="D",
                       label=name.replace("_", " "), zorder=3)
        ax.axhline(0, color="#999999", lw=0.5)
        ax.set_xticks(range(len(regions)), regions, fontsize=6)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("pattern agreement (partial r)")
        ax.set_title(f"{lb}  Does the assigned layer reproduce the region's pattern?\n"
                     "(bars: chance, the system's pattern permuted)", loc="left", fontsize=8)
        ax.legend(fontsize=5, loc="lower left", ncol=2, frameon=False)
        ax = row[2]
        # RSA: the plain RDM correlation's rank beside the partial score's (layers chosen on
        # the partial score; no bootstrap interval); predictivity is plain already
        kinds = [("conventional", "conventional\nscore")]
        if measure == "rsa" and "rank_conventional_plain" in sys_t:
            kinds = [("conventional", "conv.\n(partial)"),
                     ("conventional_plain", "conv.\n(plain)")]
        kinds.append(("apa", "APA\nagreement"))
        for k, name in enumerate(names):
            r = sys_t.loc[name]
            color = system_color(r["kind"], bool(r["trained"]))
            shift = (k - (len(names) - 1) / 2) * 0.12
            for j, (kind, _) in enumerate(kinds):
                err = ([[r[f"rank_{kind}"] - r[f"rank_{kind}_boot_low"]],
                        [r[f"rank_{kind}_boot_high"] - r[f"rank_{kind}"]]]
                       if f"rank_{kind}_boot_low" in r else None)
                ax.errorbar(j + shift, r[f"rank_{kind}"], yerr=err, fmt="o", color=color,
                            ms=4, capsize=2, lw=0.8)
            ax.plot(np.arange(len(kinds)) + shift, [r[f"rank_{kind}"] for kind, _ in kinds],
                    color=color, lw=0.5)
            ax.annotate(name.replace("_", " "), (len(kinds) - 1 + shift, r["rank_apa"]),
                        fontsize=5, color=color, xytext=(4, -2 + 6 * (k % 2)),
                        textcoords="offset points")
        ax.set_xticks(range(len(kinds)), [label for _, label in kinds], fontsize=7)
        ax.set_xlim(-0.5, len(kinds) - 0.1)
        ax.invert_yaxis()
        ax.set_ylabel("rank (1 = best)")
        ax.set_title(f"{lc}  Model ranks, bootstrap 95 % intervals", loc="left", fontsize=8)
    fig.tight_layout()
    return fig
