"""Figure 6: stimulus-level divergences and the diagnostic tests."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.lines import Line2D

from analysis.report.figures.style import (
    CATEGORY_COLORS,
    CONTROL,
    FULL_WIDTH,
    TRAINED,
    empty_panel,
)
from analysis.stats import divergence as dv

#: Panel c's parts and their tick labels: the discovery part, then the held-out parts of
#: analysis.stats.generalisation_parts.PARTS (tests/test_divergence.py checks they agree).
PART_LABELS = {"discovery": "discovery",
               "held-out subjects and images": "held-out\nsubjects",
               "held-out models, subjects and images": "held-out\nmodels"}
PARTS = list(PART_LABELS)
THUMBNAILS = 3  # most divergent images shown per region
#: Short names of the real stimulus sets (panel d).
SET_NAMES = {"kriegeskorte92": "92 images", "floc": "fLoc", "localizer2": "second set"}


def read_table(path: Path) -> pd.DataFrame:
    """A table of the divergence stage; an empty one (nothing to tabulate) as no rows."""
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _pretty(label: str) -> str:
    return label.replace("_", " ")


def _scatter(ax: plt.Axes, img: pd.DataFrame, category: str, cutoff: float) -> list[int]:
    """Brain z against network z per image, the OLS fit the residuals are measured from
    (analysis.stats.divergence.residuals, on the table's values) with the cutoff's band, the
    divergent images ringed and the THUMBNAILS most divergent numbered; returns their image
    ids in that order."""
    label_a, label_b = img["label_a"].iloc[0], img["label_b"].iloc[0]
    other = (img[label_a] != 1) & (img[label_b] != 1)
    ax.scatter(img["network_z"][other], img["brain_z"][other], s=3, color="#c8c8c8",
               linewidths=0, label="other images")
    for label, face in ((label_a, CATEGORY_COLORS[category]), (label_b, "none")):
        sel = img[label] == 1
        ax.scatter(img["network_z"][sel], img["brain_z"][sel], s=7, marker="o",
                   facecolor=face, edgecolor=CATEGORY_COLORS[category], lw=0.6,
                   label=_pretty(label))
    x, y = img["network_z"].to_numpy(float), img["brain_z"].to_numpy(float)
    fit = dv.residuals(y, x)  # the fit the stage measured the residuals from
    sd = np.sqrt(np.sum((y - fit.intercept - fit.slope * x) ** 2) / (len(x) - 2))
    grid = np.linspace(x.min(), x.max(), 2)
    ax.plot(grid, fit.intercept + fit.slope * grid, color="#555555", lw=0.7, label="OLS fit")
    for sign in (-1, 1):
        ax.plot(grid, fit.intercept + fit.slope * grid + sign * cutoff * sd, color="#555555",
                lw=0.5, ls=":", label=f"±{cutoff:g} residual SD" if sign > 0 else None)
    div = img["divergent"] != 0
    ax.scatter(img["network_z"][div], img["brain_z"][div], s=22, facecolor="none",
               edgecolor="#000000", lw=0.6, label="divergent")
    top = img.reindex(img["residual"].abs().sort_values(ascending=False).index)
    top = top.head(THUMBNAILS)
    for k, (_, row) in enumerate(top.iterrows()):
        ax.annotate(str(k + 1), (row["network_z"], row["brain_z"]),
                    xytext=((3, 2), (3, -8), (-8, 2))[k % 3], textcoords="offset points",
                    fontweight="bold")
    ax.margins(y=0.18)
    ax.set_xlabel("network z (selective units)")
    return [int(i) for i in top["image_id"]]


def _thumbnails(ax: plt.Axes, ids: list[int], thumbs: dict[int, np.ndarray]) -> None:
    """The numbered most divergent images of a panel a, side by side."""
    pics = [thumbs[i] for i in ids if i in thumbs]
    ax.axis("off")
    if not pics:
        return
    side = max(p.shape[0] for p in pics)
    gap = np.full((side, side // 8, 3), 255, dtype=np.uint8)
    row = [np.pad(p, ((0, side - p.shape[0]), (0, side - p.shape[1]), (0, 0)),
                  constant_values=255) for p in pics]
    ax.imshow(np.concatenate([x for p in row for x in (p, gap)][:-1], axis=1))
    for k in range(len(pics)):
        ax.text(k * (side + side // 8) + 2, 2, str(k + 1), color="white", fontweight="bold",
                va="top", ha="left", bbox={"facecolor": "black", "pad": 0.5, "lw": 0})


def _diagnostics(ax: plt.Axes, diag: pd.DataFrame, subj: pd.DataFrame,
                 short: dict[str, str], colors: dict[str, str]) -> None:
    """The diagnostic contrast in the brain (subjects as dots, the subjects x images
    interval) and in every network and control; * where brain minus system p < 0.05."""
    brain = diag[diag["kind"] == "brain"].iloc[0]
    ax.scatter(np.linspace(-0.15, 0.15, len(subj)), subj["estimate"], s=3,
               color="#222222", zorder=3, linewidths=0)
    ax.errorbar(0.3, brain["estimate"], yerr=[[brain["estimate"] - brain["low"]],
                                               [brain["high"] - brain["estimate"]]],
                fmt="D", color="#222222", ms=2.5, capsize=1.5, lw=0.6)
    others = diag[(diag["kind"] != "brain") & diag["estimate"].notna()].reset_index(drop=True)
    for k, row in others.iterrows():
        x = 1 + k
        ax.errorbar(x, row["estimate"], yerr=[[row["estimate"] - row["low"]],
                                               [row["high"] - row["estimate"]]],
                    fmt="o", color=colors.get(row["system"], CONTROL), ms=2.5, capsize=1.5,
                    lw=0.6)
        p = row["difference_p"]
        if np.isfinite(p) and p < 0.05:
            ax.annotate("*", (x, row["high"]), xytext=(0, 0), textcoords="offset points",
                        ha="center", va="bottom")
    ax.axhline(0, color="#999999", lw=0.4)
    ax.axhline(brain["estimate"], color="#222222", lw=0.5, ls=":")
    ax.margins(y=0.3)
    ax.set_xticks(range(1 + len(others)),
                  ["brain"] + [short.get(s, _pretty(s)) for s in others["system"]], rotation=90)


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
                            fmt="o", color=TRAINED, mfc=face, ms=2.5, capsize=1.5, lw=0.6)
                shown = True
        if not shown:
            ax.text(k, 0.5, "none\nrun", ha="center", va="center", color="#777777",
                    transform=ax.get_xaxis_transform())
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_xticks(range(len(PARTS)), [PART_LABELS[p] for p in PARTS])
    ax.set_xlim(-0.5, len(PARTS) - 0.5)


def _real(ax: plt.Axes, real: pd.DataFrame, colors: dict[str, str]) -> None:
    """Each real-image contrast of the selective units (rows) per network, with its
    interval."""
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
            y = k + (j - (len(models) - 1) / 2) * 0.2
            ax.errorbar(r["estimate"], y, xerr=[[r["estimate"] - r["low"]],
                                                 [r["high"] - r["estimate"]]],
                        fmt="o", ms=2.5, capsize=1.5, lw=0.6, color=colors.get(model, CONTROL))
    ax.axvline(0, color="#999999", lw=0.4)
    ax.set_yticks(range(len(specs)), [f"{u}: {a} − {b} ({SET_NAMES.get(s, s)})"
                                      for s, u, a, b in specs])
    ax.invert_yaxis()
    ax.set_xlabel("selective units' contrast (z)")


def _it(ax: plt.Axes, it: pd.DataFrame, short: dict[str, str], colors: dict[str, str]) -> None:
    """Human vs animal face separation over face vs other separation in each human IT
    subject's RDM and each network's (92-image set)."""
    hum = it[it["kind"] == "human_it"]
    ax.scatter(np.zeros(len(hum)), hum["ratio"], s=5, color="#222222", linewidths=0)
    nets = it[it["kind"] != "human_it"].reset_index(drop=True)
    for k, row in nets.iterrows():
        ax.scatter(1 + k, row["ratio"], s=9, color=colors.get(row["system"], CONTROL),
                   linewidths=0)
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_xticks(range(1 + len(nets)), ["human IT"] + [short.get(s, _pretty(s))
                                                        for s in nets["system"]], rotation=90)
    ax.set_ylabel("human vs animal faces\n÷ faces vs others")


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
         cutoff: float, names: dict[str, str], colors: dict[str, str]) -> plt.Figure:
    """Rows: a scatter of brain vs network z per image (``model``) with the fit and the most
    divergent images numbered, shown below it; b the diagnostic contrast in the brain and every
    model and control; c the brain-model difference per generalisation part; d real-image
    contrasts and e the human-IT RDM's view of human vs animal faces (92-image set).
    names/colors: system -> display name / colour. One legend for all, below. Drawn at the
    text width."""
    n = len(regions)
    short = short_names(names)
    fig = plt.figure(figsize=(FULL_WIDTH, 6.6), layout="constrained")
    outer = fig.add_gridspec(2, 1, height_ratios=[2.9, 1.3])
    grid = outer[0].subgridspec(4, n, height_ratios=[1.35, 0.3, 1.0, 0.75])
    bottom = outer[1].subgridspec(1, 2, width_ratios=[2.6, 1.0])
    legends: dict[str, Artist] = {}
    for j, (category, region) in enumerate(regions.items()):
        img = select_rows(images, region=region, model=model)
        ax = fig.add_subplot(grid[0, j])
        ax_thumbs = fig.add_subplot(grid[1, j])
        if len(img):
            _thumbnails(ax_thumbs, _scatter(ax, img, category, cutoff), thumbs)
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                legends.setdefault(lab, h)
            if j == 0:
                ax.set_ylabel("brain z (subject mean)")
        else:
            ax_thumbs.axis("off")
        ax.set_title(f"a{j + 1}  {region} vs {short.get(model, _pretty(model))}", loc="left",
                     fontweight="bold")
        d = select_rows(diagnostics, region=region)
        ax = fig.add_subplot(grid[2, j])
        excluded = _excluded(d)
        if excluded:
            for panel in (fig.axes[-3], ax):  # a and b say why, c says "nothing found"
                empty_panel(panel, excluded)
        else:
            _diagnostics(ax, d, select_rows(subjects, region=region), short, colors)
        label_a, label_b = d["label_a"].iloc[0], d["label_b"].iloc[0]
        ax.set_title(f"b{j + 1}  {_pretty(label_a)} −\n{_pretty(label_b)}", loc="left",
                     fontweight="bold")
        if j == 0:
            ax.set_ylabel("contrast (z)")
        ax = fig.add_subplot(grid[3, j])
        gen = select_rows(generalisation, region=region)
        if len(gen):
            _generalisation(ax, gen)
        elif not excluded:
            empty_panel(ax, "no trained model with selective units: no part was tested")
        found = select_rows(gen, hypothesis="found")
        what = (f"{_pretty(found['label_a'].iloc[0])}\n"
                f"− {_pretty(found['label_b'].iloc[0])} (found)" if len(found)
                else "nothing found")
        ax.set_title(f"c{j + 1}  {what}", loc="left", fontweight="bold")
        if j == 0:
            ax.set_ylabel("brain − model\ncontrast")
    ax = fig.add_subplot(bottom[0, 0])
    if len(real) and np.isfinite(real["estimate"].astype(float)).any():
        _real(ax, real, colors)
    else:
        empty_panel(ax, "no selective unit in any model's layer at this threshold"
                    if len(real) else "no real stimulus set in this run")
    ax.set_title("d  real images: the network side", loc="left", fontweight="bold")
    ax_it = fig.add_subplot(bottom[0, 1])
    if len(it):
        _it(ax_it, it, short, colors)
        ax_it.set_title("e  92 images", loc="left", fontweight="bold")
    extra = [Line2D([], [], color="#222222", marker="o", ls="", ms=2, label="subjects"),
             Line2D([], [], color="#222222", marker="D", ls="", ms=2.5,
                    label="brain, with interval"),
             *[Line2D([], [], color=colors.get(m, CONTROL), marker="o", ls="", ms=2.5,
                      label=names.get(m, m)) for m in colors],
             Line2D([], [], color=CONTROL, marker="o", ls="", ms=2.5, label="controls"),
             Line2D([], [], color=TRAINED, marker="o", ls="", ms=2.5,
                    label="pre-specified (c)"),
             Line2D([], [], color=TRAINED, marker="o", mfc="white", ls="", ms=2.5,
                    label="found on discovery (c)")]
    fig.legend(handles=[*legends.values(), *extra], loc="outside lower center", ncol=4)
    return fig


def short_names(names: dict[str, str]) -> dict[str, str]:
    """Display names without the words every one of them starts with (tick labels):
    'EfficientNet-Lite0 ImageNet-1K', 'EfficientNet-Lite0 Random 1' -> 'ImageNet-1K',
    'Random 1'. Names stay whole when they share no leading word or there is one."""
    words = [v.split() for v in names.values()]
    k = 0
    while len(words) > 1 and all(len(w) > k + 1 and w[k] == words[0][k] for w in words):
        k += 1
    return {m: " ".join(v.split()[k:]) for m, v in names.items()}
