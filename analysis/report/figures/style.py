"""Shared figure style and byte-stable saving (PDF and PNG)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.atomic import atomic_path  # noqa: E402
from analysis.report.figures.legibility import MIN_FONT_PT, TEXT_WIDTH_IN  # noqa: E402
from analysis.report.provenance import as_text  # noqa: E402

#: Final sizes (inches): figures are drawn at the size they print (the manuscript's text width,
#: analysis.report.figures.legibility.TEXT_WIDTH_IN), so every font size below is the printed one.
FULL_WIDTH = TEXT_WIDTH_IN
#: Font sizes in points, as printed: text, and the smallest (tick labels, legends, notes).
FONT = 7.0
SMALL = MIN_FONT_PT

TRAINED = "#c0392b"
UNTRAINED = "#2c7fb8"
#: Human data (subjects, the human-human ceiling): grey in every figure.
HUMAN = "#6e6e6e"
CATEGORY_COLORS = {"faces": "#e6550d", "bodies": "#31a354", "places": "#3182bd",
                   "characters": "#756bb1", "objects": "#636363"}
#: Hues of the trained networks (in `models` order) and shades of the untrained ones: each
#: network its own colour, red family trained, blue family untrained.
TRAINED_HUES = ("#c0392b", "#e67e22", "#8e44ad", "#a0522d", "#d81b60", "#7d6608")
UNTRAINED_SHADES = ("#2c7fb8", "#74add1", "#08306b", "#41b6c4", "#5e3c99", "#1b7837")
SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA — not a finding"

plt.rcParams.update({
    "font.size": FONT, "axes.titlesize": FONT, "axes.labelsize": FONT,
    "xtick.labelsize": SMALL, "ytick.labelsize": SMALL, "legend.fontsize": SMALL,
    "legend.title_fontsize": SMALL, "figure.titlesize": FONT, "legend.frameon": False,
    "axes.linewidth": 0.6, "xtick.major.width": 0.6, "ytick.major.width": 0.6,
    "xtick.major.size": 2.5, "ytick.major.size": 2.5, "lines.linewidth": 1.0,
    "lines.markersize": 4, "axes.titlepad": 4, "axes.labelpad": 2,
    "axes.spines.top": False, "axes.spines.right": False,
    "pdf.fonttype": 42, "svg.hashsalt": "selcomp", "figure.dpi": 100})


def network_colors(models: list[str], trained: dict[str, bool]) -> dict[str, str]:
    """A colour per network: trained ones from TRAINED_HUES, untrained ones from
    UNTRAINED_SHADES, each in the order given (so a model keeps its colour across figures of
    one run)."""
    hues = iter(TRAINED_HUES * (1 + len(models) // len(TRAINED_HUES)))
    shades = iter(UNTRAINED_SHADES * (1 + len(models) // len(UNTRAINED_SHADES)))
    return {m: next(hues) if trained[m] else next(shades) for m in models}


#: A control system (the noise-free simulated subject presented as a network, ...).
CONTROL = "#777777"


def display_names(params: Any) -> dict[str, str]:
    """Model -> its display name in the zoo (for labels; code names stay in the tables)."""
    return {m: params.zoo[m].display or m for m in params.models}


def label_tier(fig: plt.Figure, tier: str) -> None:
    """Stamp figures made from the synthetic tiers so they cannot be mistaken for results."""
    if tier in ("demo", "public"):
        what = "SYNTHETIC DEMO DATA" if tier == "demo" else "synthetic brain data, real stimuli/weights"
        fig.suptitle(f"tier: {tier} — {what}", x=0.995, ha="right", fontsize=SMALL,
                     color="#888888")


def empty_panel(ax: plt.Axes, reason: str) -> None:
    """Mark a panel that has nothing to show, and say why (e.g. a threshold that selects too
    few voxels): an explicit empty panel, not a blank one."""
    text = "\n".join(textwrap.fill(line, 36, break_long_words=False, break_on_hyphens=False)
                     for line in reason.splitlines())
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=SMALL, color="#666666",
            transform=ax.transAxes)


def save(fig: plt.Figure, path: str | Path, provenance: dict[str, Any] | None = None) -> None:
    """Save a PDF, a PNG beside it and ``<name>.provenance.json``, atomically.

    The creation date is fixed by SOURCE_DATE_EPOCH (set here if unset), so the bytes depend
    only on the content. The provenance (stage, command, parameters, hashes of the inputs and
    code files) goes into the PDF's Keywords entry, the PNG's text chunk 'provenance' and the JSON
    manifest file.
    """
    path = Path(path)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1780012800")
    extra = {"provenance": as_text(provenance)} if provenance else {}
    keywords = extra.get("provenance", "")
    if provenance:
        with atomic_path(path.with_suffix(".provenance.json")) as tmp:
            tmp.write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="pdf", metadata={"Creator": "selcomp", "Producer": "matplotlib",
                                                 "Keywords": keywords})
    with atomic_path(path.with_suffix(".png")) as tmp:
        fig.savefig(tmp, format="png", dpi=150,
                    metadata={"Software": "selcomp", **{k: str(v) for k, v in extra.items()}})
    plt.close(fig)
