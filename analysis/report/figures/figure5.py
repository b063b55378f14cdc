"""Figure 5 (encoding models: necessity and sufficiency of the selective units) and the
reverse-predictivity figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import CATEGORY_COLORS, empty_panel

NO_REFERENCE = ("no region has 2 subjects with >= 2 selected voxels: no subject-to-subject "
                "reference (results/reverse_predictivity/excluded.csv)")

#: Feature sets shown, in order, with their labels. Random sets are averaged over draws.
SETS = [("all", "all units"), ("lesioned", "− selective"), ("random_lesioned", "− random"),
        ("selective", "selective only"), ("random_only", "random only"),
        ("insilico_intact", "in silico:\nintact"), ("insilico_lesioned", "in silico:\n− selective"),
        ("insilico_random_lesioned", "in silico:\n− random")]
MEASURES = [("univariate_rc", "univariate accuracy\n(noise-corrected r)"),
            ("multivariate_rc", "multivariate accuracy\n(noise-corrected RDM r)")]


def _per_subject(acc: pd.DataFrame, measure: str) -> pd.DataFrame:
    return acc.groupby(["subject", "feature_set"])[measure].mean().unstack("feature_set")


#: Effects tested (per subject): name -> (minuend, subtrahend, label).
EFFECTS = {"necessity": ("random_lesioned", "lesioned", "necessity:\n−random − (−selective)"),
           "sufficiency": ("selective", "random_only", "selective only\n− random only"),
           "insilico": ("insilico_random_lesioned", "insilico_lesioned",
                        "in-silico necessity")}


def draw_encoding(acc: pd.DataFrame, models: list[str], regions: dict[str, str],
                  readout: str | None, smallest_effect_share: float, pooled: bool = False
                  ) -> plt.Figure:
    """Rows a-b: accuracy per feature set (univariate, multivariate), columns: regions. Bars:
    mean over subjects of each trained model (and their per-subject mean when there are
    several); dots: subjects; dashed: positive control (noise-free brain), dotted: negative
    control (images shuffled). Row c: the tested effects per subject on the explained-variance
    scale (sign(r) r², as analysis.stats.encoding.explained_share; random sets averaged after
    squaring) with ± the smallest effect of interest."""
    groups = list(models) + (["pooled trained"] if len(models) > 1 else [])
    fig, axes = plt.subplots(3, len(regions), figsize=(3.6 * len(regions), 8.2),
                             constrained_layout=True, squeeze=False)
    shown = [s for s, _ in SETS if s in set(acc["feature_set"])]
    width = 0.8 / len(groups)

    def subset(a: pd.DataFrame, name: str) -> pd.DataFrame:
        return a[a["model"].isin(models)] if name == "pooled trained" else a[a["model"] == name]

    for j, (category, region) in enumerate(regions.items()):
        a = acc[acc["region"] == region]
        for i, (measure, ylabel) in enumerate(MEASURES):
            ax = axes[i, j]
            for g, name in enumerate(groups):
                wide = _per_subject(subset(a, name), measure)
                for k, s in enumerate(shown):
                    if s not in wide:
                        continue
                    x = k + (g - (len(groups) - 1) / 2) * width
                    vals = wide[s].to_numpy(dtype=float)
                    ax.bar(x, np.nanmean(vals), width * 0.9, color=CATEGORY_COLORS[category],
                           alpha=0.35 if "random" in s else 0.8,
                           hatch="//" if s.startswith("insilico") else None,
                           edgecolor="#333333", lw=0.4)
                    ax.scatter(np.full(len(vals), x), vals, s=4, color="#222222", zorder=3)
            for fs, style, label in (("noiseless_brain", "--", "positive control"),
                                     ("shuffled_images", ":", "negative control")):
                c = a[a["feature_set"] == fs][measure]
                if len(c):
                    ax.axhline(float(c.mean()), color="#555555", ls=style, lw=0.8, label=label)
            ax.axhline(0, color="#999999", lw=0.4)
            ax.set_xticks(range(len(shown)), [dict(SETS)[s] for s in shown], rotation=60,
                          fontsize=5.5, ha="right")
            if j == 0:
                ax.set_ylabel(ylabel)
            ax.set_title(f"{'ab'[i]}{j + 1}  {region}", loc="left")
            if a.empty:
                empty_panel(ax, f"no subject has a selected voxel in {region} "
                                "(results/encoding/excluded.csv)")
        ax = axes[2, j]
        labels = []
        for k, (plus, minus, label) in enumerate(
                v for v in EFFECTS.values() if {v[0], v[1]} <= set(a["feature_set"])):
            labels.append(label)
            for i, (measure, _) in enumerate(MEASURES):
                trained = a[a["model"].isin(models)]
                ev = trained.assign(**{measure: np.sign(trained[measure])
                                       * trained[measure] ** 2})
                wide = _per_subject(ev, measure)
                d = (wide[plus] - wide[minus]).to_numpy(dtype=float)
                x = k + (i - 0.5) * 0.35
                ax.bar(x, np.nanmean(d), 0.3, color=CATEGORY_COLORS[category],
                       alpha=0.8 if i == 0 else 0.45, edgecolor="#333333", lw=0.4,
                       label=("univariate", "multivariate")[i] if k == 0 else None)
                ax.scatter(np.full(len(d), x), d, s=4, color="#222222", zorder=3)
        ax.axhspan(-smallest_effect_share, smallest_effect_share, color="#dddddd", zorder=0,
                   label=f"±smallest effect ({smallest_effect_share:g})")
        ax.axhline(0, color="#999999", lw=0.4)
        ax.set_xticks(range(len(labels)), labels, fontsize=6)
        if j == 0:
            ax.set_ylabel("effect on explained share of\nexplainable variance (per subject)")
            ax.legend(frameon=False, fontsize=5.5)
        ax.set_title(f"c{j + 1}  {region}: tested effects", loc="left")
        if not labels:
            empty_panel(ax, "nothing tested: no selected voxel, or no selective unit "
                            "(results/encoding/excluded.csv)")
    if axes[0, 0].get_legend_handles_labels()[0]:
        axes[0, 0].legend(frameon=False, fontsize=5.5, loc="lower left")
    layers = acc[acc["model"].isin(models)]["layer"]
    layer = layers.iloc[0] if len(layers) else "the category's layer"
    fig.supxlabel(f"Solid bars: encoding models on the units of {layer} (selective units removed "
                  f"or kept; light: random sets of the same size). Dots: subjects.\n"
                  f"Hatched: in-silico lesion, units silenced in the forward pass, model read at "
                  f"{readout}{' (kernel means)' if pooled else ''}. Models: "
                  f"{', '.join(models)}.", fontsize=6)
    return fig


def draw_reverse(subjects: pd.DataFrame, pairs: pd.DataFrame, units: pd.DataFrame,
                 models: list[str], regions: dict[str, str]) -> plt.Figure:
    """a: forward vs reverse EV per subject with the subject-to-subject reference; b: the
    units' reverse EV (mean over subjects), selective vs other; c: shares of common and unique
    units (``reverse_predictivity.common_rule``) among selective and other units."""
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.3), constrained_layout=True)
    ax = axes[0]
    names = list(regions.values())
    for k, region in enumerate(names):
        ref = pairs[pairs["region"] == region]["ev"]
        ax.bar(k - 0.27, ref.mean(), 0.25, color="#bbbbbb", label="subject → subject"
               if k == 0 else None)
        s = subjects[(subjects["region"] == region) & (subjects["model"].isin(models))
                     & (subjects["variant"] == subjects["model"])]
        g = s.groupby("subject")[["forward_ev", "reverse_ev"]].mean()
        for off, col, lab, c in ((0.0, "forward_ev", "network → voxels", "#c0392b"),
                                 (0.27, "reverse_ev", "voxels → network units",
                                  "#2c7fb8")):
            ax.bar(k + off, g[col].mean(), 0.25, color=c, alpha=0.7,
                   label=lab if k == 0 else None)
            ax.scatter(np.full(len(g), k + off), g[col], s=4, color="#222222", zorder=3)
        for _, row in g.iterrows():
            ax.plot([k, k + 0.27], [row["forward_ev"], row["reverse_ev"]],
                    color="#888888", lw=0.4)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("normalised EV (ratio over targets)")
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_title("a  Forward vs reverse predictivity", loc="left")
    if len(pairs):
        ax.legend(frameon=False, fontsize=6)
    else:
        empty_panel(ax, NO_REFERENCE)
    ax = axes[1]
    u = units[units["model"].isin(models)]
    bins = np.linspace(min(-0.2, float(u["reverse_ev_mean"].min())),
                       max(1.0, float(u["reverse_ev_mean"].max())), 40)
    for sel, c, lab in ((False, "#999999", "other units"), (True, "#e6550d", "selective units")):
        v = u[u["selective"] == sel]["reverse_ev_mean"]
        if len(v):
            ax.hist(v, bins=bins, color=c, alpha=0.6, density=True, label=f"{lab} (n={len(v)})")
    ref_all = pairs["ev"].mean()
    ax.axvline(ref_all, color="#333333", ls="--", lw=0.8, label="subject → subject")
    ax.set_xlabel("reverse EV of a unit (mean over subjects and regions)")
    ax.set_ylabel("density")
    ax.set_title("b  Units predicted from voxels", loc="left")
    if len(u):
        ax.legend(frameon=False, fontsize=6)
    else:
        empty_panel(ax, NO_REFERENCE)
    ax = axes[2]
    s = subjects[subjects["model"].isin(models) & (subjects["variant"] == subjects["model"])]
    for k, region in enumerate(names):
        cols = [f"{kind}_share_{group}" for kind in ("common", "unique")
                for group in ("selective", "other")]
        g = s[s["region"] == region].groupby("subject")[cols].mean()
        for off, col in zip((-0.3, -0.1, 0.1, 0.3), cols):
            kind, group = col.split("_share_")
            ax.bar(k + off, g[col].mean(), 0.18, alpha=0.7,
                   color="#e6550d" if group == "selective" else "#999999",
                   hatch="////" if kind == "unique" else None,
                   label=f"{kind}, {group}" if k == 0 else None)
            ax.scatter(np.full(len(g), k + off), g[col], s=4, color="#222222", zorder=3)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("share of units that are common\n(solid) or unique (hatched)")
    ax.set_title("c  Where the selective units fall", loc="left")
    if len(s):
        ax.set_ylim(top=ax.get_ylim()[1] * 1.3)   # room for the legend above the bars
        ax.legend(frameon=False, fontsize=6, ncol=2, loc="upper center")
    else:
        empty_panel(ax, NO_REFERENCE)
    return fig
