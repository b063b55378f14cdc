"""Figure 5 (encoding models: necessity and sufficiency of the selective units)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import CATEGORY_COLORS, empty_panel

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
    scale (sign(r) r², as voxelwise.explained_share; random sets averaged after
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
                                "(results/analyses/encoding/excluded.csv)")
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
                            "(results/analyses/encoding/excluded.csv)")
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
