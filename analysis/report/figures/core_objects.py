"""The compared objects themselves (the paper's Figures 1 and 3a): each main region's response
profile over the shared images, human subjects against the networks' selective units, and
the image RDMs of a subject, of the mean human and of a trained network.

Images are sorted by their annotation label (analysis.annotations: the divergence contrasts'
labels), so the structure the comparisons summarise is visible."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy.spatial.distance import squareform
from scipy.stats import rankdata

from analysis.report.figures import schematics
from analysis.report.figures.style import CONTROL, FULL_WIDTH, HUMAN

#: The label columns of results/annotations/images.csv in the order images are sorted by
#: (an image goes to its first label; images without one come last, as "other").
LABELS = ["human_face", "animal_face", "exposed_limbs", "covered_body", "scene_with_people",
          "scene_without_people"]
OTHER = "other"


def image_order(annotations: pd.DataFrame, image_ids: np.ndarray) -> tuple[np.ndarray,
                                                                          list[str]]:
    """Positions that sort ``image_ids`` ((n_img,) NSD ids) by their first label in LABELS
    (stable: ties keep the given order), and the label group of each sorted image. Raises
    KeyError naming the ids that results/annotations/images.csv lacks."""
    table = annotations.set_index("image_id")
    missing = sorted(set(map(int, image_ids)) - set(table.index))
    if missing:
        raise KeyError(f"images {missing[:5]} have no row in results/annotations/images.csv")
    rows = table.loc[list(map(int, image_ids)), [c for c in LABELS if c in table]]
    first = [next((c for c in rows.columns if row[c] == 1), OTHER) for _, row in rows.iterrows()]
    rank = {label: k for k, label in enumerate([*LABELS, OTHER])}
    order = np.argsort([rank[g] for g in first], kind="stable")
    return order, [first[k] for k in order]


def zscore(x: np.ndarray) -> np.ndarray:
    """(n,) values standardized over the images (NaN-aware); a constant profile stays 0."""
    x = np.asarray(x, dtype=float)
    sd = np.nanstd(x)
    return (x - np.nanmean(x)) / sd if sd > 0 else x - np.nanmean(x)


def rank_transform(condensed: np.ndarray) -> np.ndarray:
    """A condensed RDM as percentiles of its dissimilarities (0-100, ties averaged; NaN kept)."""
    d = np.asarray(condensed, dtype=float)
    out = np.full_like(d, np.nan)
    ok = np.isfinite(d)
    if ok.sum() > 1:
        out[ok] = (rankdata(d[ok]) - 1) / (ok.sum() - 1) * 100
    return out


def _group_axis(ax: plt.Axes, groups: list[str], axis: str = "x") -> None:
    """Ticks at the middle of each label group and thin lines between groups, on the x axis,
    the y axis or both (an RDM: white lines across the matrix)."""
    bounds = [0] + [k for k in range(1, len(groups)) if groups[k] != groups[k - 1]] + [len(groups)]
    middles = [(a + b - 1) / 2 for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    names = [groups[a].replace("_", " ") for a in bounds[:-1]]
    colour = "#ffffff" if axis == "both" else "#bbbbbb"
    for b in bounds[1:-1]:
        if axis in ("x", "both"):
            ax.axvline(b - 0.5, color=colour, lw=0.5)
        if axis in ("y", "both"):
            ax.axhline(b - 0.5, color=colour, lw=0.5)
    if axis in ("x", "both"):
        ax.set_xticks(middles, names, rotation=90)
    if axis in ("y", "both"):
        ax.set_yticks(middles, names)


def draw(humans: dict[str, np.ndarray], networks: dict[str, dict[str, np.ndarray]],
         rdms: list[tuple[str, np.ndarray]], groups: list[str], rdm_region: str,
         names: dict[str, str], colors: dict[str, str], trained_models: set[str]
         ) -> plt.Figure:
    """humans: region -> (n_subjects, n_img) profiles; networks: region -> model -> (n_img,)
    profile of its selective units; rdms: (title, condensed RDM over the images) for the RDM
    panels, of region ``rdm_region``; every array is in the sorted image order whose label
    groups are ``groups``; trained_models: drawn over the untrained ones. Profiles are
    z-scored over images, RDMs rank-transformed (percentiles of their dissimilarities, as RDMs
    are usually shown: the comparisons use ranks or correlations, not the raw scale). Drawn at
    the text width, below a schematic of the approach (a)."""
    regions = list(humans)
    fig = plt.figure(figsize=(FULL_WIDTH, 6.6), layout="constrained")
    outer = fig.add_gridspec(3, 1, height_ratios=[0.42, 1.0, 1.05])
    schematics.approach(fig.add_subplot(outer[0]))
    top = outer[1].subgridspec(1, max(1, len(regions)))
    x = np.arange(len(groups))
    for j, region in enumerate(regions):
        ax = fig.add_subplot(top[0, j])
        z = np.array([zscore(p) for p in humans[region]])
        if len(z):
            ax.fill_between(x, np.nanmin(z, axis=0), np.nanmax(z, axis=0), color=HUMAN,
                            alpha=0.3, lw=0, zorder=1)
            ax.plot(x, np.nanmean(z, axis=0), color="#222222", lw=0.8, zorder=4)
        for model, profile in networks.get(region, {}).items():
            trained = model in trained_models
            ax.plot(x, zscore(profile), color=colors.get(model, CONTROL),
                    lw=0.8 if trained else 0.5, alpha=1.0 if trained else 0.6,
                    zorder=3 if trained else 2)
        _group_axis(ax, groups)
        ax.set_xlim(-0.5, len(groups) - 0.5)
        ax.set_title(f"{'bcd'[j] if j < 3 else j + 2}  {region} profile", loc="left",
                     fontweight="bold")
        if j == 0:
            ax.set_ylabel("response (z over images)")
    bottom = outer[2].subgridspec(1, max(1, len(rdms)))
    letter = "abcdefghi"[1 + len(regions):]
    for k, (title, condensed) in enumerate(rdms):
        ax = fig.add_subplot(bottom[0, k])
        im = ax.imshow(squareform(rank_transform(condensed), checks=False), cmap="magma",
                       vmin=0, vmax=100, interpolation="nearest")
        _group_axis(ax, groups, "both")
        if k:
            ax.tick_params(axis="y", labelleft=False)
        ax.set_title(f"{letter[k]}  {title}", loc="left", fontweight="bold")
        if k == len(rdms) - 1:
            fig.colorbar(im, ax=ax, shrink=0.8,
                         label=f"{rdm_region} dissimilarity\n(percentile)")
    models = list(dict.fromkeys(m for r in networks.values() for m in r))
    fig.legend(handles=[Patch(color=HUMAN, alpha=0.3, label="subjects' range"),
                        Line2D([], [], color="#222222", lw=0.8, label="subjects' mean"),
                        *[Line2D([], [], color=colors.get(m, CONTROL), lw=0.8,
                                 label=names.get(m, m)) for m in models]],
               loc="outside lower center", ncol=min(3, 2 + len(models)))
    return fig
