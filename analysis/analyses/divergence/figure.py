"""Figure 6: stimulus-level divergences and the diagnostic tests."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.offsetbox import AnnotationBbox, OffsetImage

from analysis.report.figures.style import CATEGORY_COLORS, TRAINED, UNTRAINED, empty_panel

KIND_COLORS = {"trained": TRAINED, "untrained": UNTRAINED, "control": "#777777"}
#: Panel c's parts and their tick labels: the discovery part, then the held-out parts of
#: analysis.stats.generalisation_parts.PARTS (tests/test_divergence.py checks they agree).
PART_LABELS = {"discovery": "discovery",
               "held-out subjects and images": "held-out subjects\n+ images",
               "held-out models, subjects and images": "held-out models,\nsubjects + images"}
PARTS = list(PART_LABELS)
THUMBNAILS = 3  # most divergent images shown per region


def read_table(path: Path) -> pd.DataFrame:
    """A table of the divergence stage; an empty one (nothing to tabulate) as no rows."""
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _pretty(label: str) -> str:
    return label.replace("_", " ")


def _scatter(ax: plt.Axes, img: pd.DataFrame, category: str, thumbs: dict[int, np.ndarray],
             cutoff: float) -> None:
    label_a, label_b = img["label_a"].iloc[0], img["label_b"].iloc[0]
    other = (img[label_a] != 1) & (img[label_b] != 1)
    ax.scatter(img["network_z"][other], img["brain_z"][other], s=5, color="#bbbbbb",
               label="other images")
    for label, marker in ((label_a, "o"), (label_b, "s")):
        sel = img[label] == 1
        ax.scatter(img["network_z"][sel], img["brain_z"][sel], s=10, marker=marker,
                   facecolor=CATEGORY_COLORS[category] if marker == "o" else "none",
                   edgecolor=CATEGORY_COLORS[category], lw=0.7, label=_pretty(label))
    div = img["divergent"] != 0
    ax.scatter(img["network_z"][div], img["brain_z"][div], s=40, facecolor="none",
               edgecolor="#000000", lw=0.8, label=f"|residual| ≥ {cutoff:g}")
    lim = [min(img["network_z"].min(), img["brain_z"].min()) - 0.3,
           max(img["network_z"].max(), img["brain_z"].max()) + 0.3]
    ax.plot(lim, lim, color="#999999", lw=0.5, ls="--")
    top = img.reindex(img["residual"].abs().sort_values(ascending=False).index)
    for k, (_, row) in enumerate(top.head(THUMBNAILS).iterrows()):
        pic = thumbs.get(int(row["image_id"]))
        if pic is None:
            continue
        box = OffsetImage(pic, zoom=18 / pic.shape[0])
        ax.add_artist(AnnotationBbox(
            box, (row["network_z"], row["brain_z"]),
            xybox=(0.12 + 0.2 * k, 0.93), boxcoords="axes fraction", pad=0.1,
            arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.4}))
    ax.set_xlabel("network z (selective units)")


def _diagnostics(ax: plt.Axes, diag: pd.DataFrame, subj: pd.DataFrame) -> None:
    brain = diag[diag["kind"] == "brain"].iloc[0]
    ax.scatter(np.zeros(len(subj)) + np.linspace(-0.15, 0.15, len(subj)), subj["estimate"],
               s=5, color="#222222", zorder=3, label="subjects")
    ax.errorbar(0.3, brain["estimate"], yerr=[[brain["estimate"] - brain["low"]],
                                               [brain["high"] - brain["estimate"]]],
                fmt="D", color="#222222", ms=4, capsize=2, lw=0.8,
                label="brain (subjects × images CI)")
    others = diag[(diag["kind"] != "brain") & diag["estimate"].notna()].reset_index(drop=True)
    for k, row in others.iterrows():
        x = 1 + k
        ax.errorbar(x, row["estimate"], yerr=[[row["estimate"] - row["low"]],
                                               [row["high"] - row["estimate"]]],
                    fmt="o", color=KIND_COLORS[row["kind"]], ms=4, capsize=2, lw=0.8)
        p = row["difference_p"]
        if np.isfinite(p) and p < 0.05:
            ax.text(x, row["high"], "*", ha="center", va="bottom", fontsize=8)
    for kind, color in KIND_COLORS.items():
        ax.scatter([], [], color=color, s=10, label=kind)
    ax.axhline(0, color="#999999", lw=0.4)
    ax.axhline(brain["estimate"], color="#222222", lw=0.5, ls=":")
    names = ["brain"] + [s.replace("effnet_", "").replace("_control", "\ncontrol")
                         for s in others["system"]]
    ax.set_xticks(range(len(names)), names, rotation=50, ha="right", fontsize=5.5)


def _generalisation(ax: plt.Axes, gen: pd.DataFrame) -> None:
    """The brain-model difference of the pre-specified diagnostic (filled) and of the
    hypothesis found on the discovery part (open) on the discovery part and on each held-out
    part (new subjects and images; the discovery model, then the other trained models)."""
    prespecified = gen[gen["hypothesis"] == "pre-specified"]
    found = gen[gen["hypothesis"] == "found"]
    for k, part in enumerate(PARTS):
        shown = False
        for off, rows, face in ((-0.12, prespecified, TRAINED), (0.12, found, "white")):
            if part == "discovery":
                rows = gen[(gen["part"] == part) & (gen["label_a"] == (
                    prespecified["label_a"].iloc[0] if face == TRAINED and len(prespecified)
                    else found["label_a"].iloc[0] if len(found) else ""))]
            else:
                rows = rows[rows["part"] == part]
            rows = rows[rows["difference_estimate"].notna()] if len(rows) else rows
            for j, (_, r) in enumerate(rows.iterrows()):
                x = k + off + 0.05 * j
                ax.errorbar(x, r["difference_estimate"],
                            yerr=[[r["difference_estimate"] - r["difference_low"]],
                                  [r["difference_high"] - r["difference_estimate"]]],
                            fmt="o", color=TRAINED, mfc=face, ms=4, capsize=2, lw=0.8)
                shown = True
        if not shown:
            ax.text(k, 0, "none run", ha="center", va="bottom", fontsize=5.5, color="#777777")
    ax.errorbar([], [], fmt="o", color=TRAINED, ms=4, label="pre-specified")
    ax.errorbar([], [], fmt="o", color=TRAINED, mfc="white", ms=4, label="found on discovery")
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_xticks(range(len(PARTS)), [PART_LABELS[p] for p in PARTS], fontsize=5.5)


def _real(ax: plt.Axes, real: pd.DataFrame) -> None:
    specs = list(dict.fromkeys(zip(real["set"], real["units"], real["a"], real["b"], strict=True)))
    models = list(dict.fromkeys(real["model"]))
    for k, spec in enumerate(specs):
        g = real[(real["set"] == spec[0]) & (real["units"] == spec[1]) & (real["a"] == spec[2])
                 & (real["b"] == spec[3])]
        for j, model in enumerate(models):
            r = g[g["model"] == model]
            if not len(r) or not np.isfinite(r["estimate"].iloc[0]):
                continue
            r = r.iloc[0]
            x = k + (j - (len(models) - 1) / 2) * 0.18
            ax.errorbar(x, r["estimate"], yerr=[[r["estimate"] - r["low"]],
                                                 [r["high"] - r["estimate"]]],
                        fmt="o", ms=3.5, capsize=1.5, lw=0.7,
                        color=TRAINED if r["trained"] else UNTRAINED)
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_xticks(range(len(specs)), [f"{s}\n{u}: {a} − {b}" for s, u, a, b in specs],
                  fontsize=5, rotation=30, ha="right")
    ax.set_ylabel("selective units' contrast (z)")
    ax.scatter([], [], color=TRAINED, s=8, label="trained")
    ax.scatter([], [], color=UNTRAINED, s=8, label="untrained")
    ax.legend(frameon=False, fontsize=5.5)


def _it(ax: plt.Axes, it: pd.DataFrame) -> None:
    hum = it[it["kind"] == "human_it"]
    ax.scatter(np.zeros(len(hum)), hum["ratio"], s=8, color="#222222", label="human IT subjects")
    nets = it[it["kind"] != "human_it"].reset_index(drop=True)
    for k, row in nets.iterrows():
        ax.scatter(1 + k, row["ratio"], s=12,
                   color=TRAINED if row["kind"] == "trained" else UNTRAINED)
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_xticks(range(1 + len(nets)), ["human IT"] + [s.replace("effnet_", "")
                                                        for s in nets["system"]],
                  rotation=40, ha="right", fontsize=5.5)
    ax.set_ylabel("human vs animal face separation\n÷ face vs other separation")


def _excluded(diag: pd.DataFrame) -> str:
    """The reason a region was left out of the divergence analysis ('' when it was not)."""
    brain = diag[diag["kind"] == "brain"]
    note = brain["note"].iloc[0] if "note" in brain and len(brain) else ""
    return note if isinstance(note, str) and note.startswith("excluded") else ""


def select_rows(table: pd.DataFrame, **equal: object) -> pd.DataFrame:
    """The rows of ``table`` whose columns equal the given values (none when the table is
    empty, e.g. no trained model had selective units at the threshold)."""
    if not len(table) or not set(equal) <= set(table.columns):
        return table.iloc[0:0]
    mask = np.logical_and.reduce([table[k] == v for k, v in equal.items()])
    return table[mask]


def draw(images: pd.DataFrame, diagnostics: pd.DataFrame, subjects: pd.DataFrame,
         generalisation: pd.DataFrame, real: pd.DataFrame, it: pd.DataFrame,
         regions: dict[str, str], model: str, thumbs: dict[int, np.ndarray],
         cutoff: float) -> plt.Figure:
    """Rows: a scatter of brain vs network z per image (``model``; the most divergent images
    as thumbnails), b the diagnostic contrast in the brain and every model and control, c the
    brain-model difference per generalisation part; d real-image contrasts and the human-IT
    RDM's view of human vs animal faces (92-image set)."""
    n = len(regions)
    fig = plt.figure(figsize=(3.5 * n, 11), constrained_layout=True)
    grid = fig.add_gridspec(4, n, height_ratios=[1.25, 1, 0.8, 1])
    for j, (category, region) in enumerate(regions.items()):
        img = select_rows(images, region=region, model=model)
        ax = fig.add_subplot(grid[0, j])
        if len(img):
            _scatter(ax, img, category, thumbs, cutoff)
            if j == 0:
                ax.set_ylabel("brain z (subject average)")
                ax.legend(frameon=False, fontsize=5, loc="lower right")
        ax.set_title(f"a{j + 1}  {region} vs {model}", loc="left")
        d = select_rows(diagnostics, region=region)
        ax = fig.add_subplot(grid[1, j])
        excluded = _excluded(d)
        if excluded:
            for panel in fig.axes[-2:]:  # a and b say why, c says "nothing found"
                empty_panel(panel, excluded)
        else:
            _diagnostics(ax, d, select_rows(subjects, region=region))
        label_a, label_b = d["label_a"].iloc[0], d["label_b"].iloc[0]
        ax.set_title(f"b{j + 1}  {region}: {_pretty(label_a)} − {_pretty(label_b)}",
                     loc="left", fontsize=7)
        if j == 0:
            ax.set_ylabel("contrast (z), 95% CI\n* brain − system p < 0.05")
            if not excluded:
                ax.legend(frameon=False, fontsize=5)
        ax = fig.add_subplot(grid[2, j])
        gen = select_rows(generalisation, region=region)
        if len(gen):
            _generalisation(ax, gen)
        elif not excluded:
            empty_panel(ax, "no trained model with selective units: no part was tested")
        found = select_rows(gen, hypothesis="found")
        what = (f"found: {_pretty(found['label_a'].iloc[0])} − {_pretty(found['label_b'].iloc[0])}"
                if len(found) else "nothing found")
        ax.set_title(f"c{j + 1}  {region}: brain − model by part\n{what}", loc="left",
                     fontsize=6.5)
        if j == 0:
            ax.set_ylabel("brain − model contrast\n(subjects × images CI)")
            if len(gen):
                ax.legend(frameon=False, fontsize=5)
    ax = fig.add_subplot(grid[3, : max(1, n - 1)])
    if len(real) and np.isfinite(real["estimate"].astype(float)).any():
        _real(ax, real)
    else:
        empty_panel(ax, "no selective unit in any model's layer at this threshold"
                    if len(real) else "no real stimulus set in this run")
    ax.set_title("d  Real images: the network side", loc="left")
    ax_it = fig.add_subplot(grid[3, n - 1]) if n > 1 else None
    if ax_it is not None and len(it):
        _it(ax_it, it)
        ax_it.set_title("e  92 images: human vs animal faces", loc="left", fontsize=7)
    return fig
