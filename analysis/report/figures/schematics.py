"""Schematics of the paper's approach, drawn with matplotlib (the paper's Figures 1a, 3a and
5a): boxes and arrows in axes coordinates, the shared style's sizes and colours, no data.

Each function draws into an axes spanning the figure's width (about 1 in tall) and turns its
axis off; the figure stages put it above the data panels."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from analysis.report.figures.style import HUMAN, SMALL, TRAINED

#: Box outline and fill of a step that is neither brain nor network.
NEUTRAL = "#444444"
FILL = "#f4f4f4"


def _box(ax: plt.Axes, x: float, y: float, w: float, h: float, text: str,
         edge: str = NEUTRAL) -> None:
    """A rounded box with its lower left corner at (x, y), ``w`` x ``h`` in axes fractions,
    its text centred."""
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.004,rounding_size=0.02",
                                transform=ax.transAxes, facecolor=FILL, edgecolor=edge,
                                lw=0.8, clip_on=False))
    ax.text(x + w / 2, y + h / 2, text, transform=ax.transAxes, ha="center", va="center",
            fontsize=SMALL, linespacing=1.15)


def _arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float],
           both: bool = False, color: str = NEUTRAL) -> None:
    """An arrow from ``start`` to ``end`` (axes fractions), double-headed with ``both``."""
    ax.add_patch(FancyArrowPatch(start, end, transform=ax.transAxes,
                                 arrowstyle="<|-|>" if both else "-|>", mutation_scale=6,
                                 lw=0.8, color=color, shrinkA=0, shrinkB=0, clip_on=False))


def _frame(ax: plt.Axes, letter: str, title: str) -> None:
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"{letter}  {title}", loc="left", fontweight="bold")


def approach(ax: plt.Axes, letter: str = "a") -> None:
    """The approach: one localizer selects voxels and units alike; both are then described by
    their responses to the same natural images and compared against the human-human
    ceiling."""
    _frame(ax, letter, "approach")
    _box(ax, 0.0, 0.3, 0.17, 0.4, "fLoc localizer\nfaces, bodies, places,\nobjects, characters")
    _box(ax, 0.25, 0.56, 0.22, 0.4, "brain: voxels with\nlocalizer t > threshold\n(FFA, EBA, PPA)",
         HUMAN)
    _box(ax, 0.25, 0.04, 0.22, 0.4, "network: units with\nlocalizer t > threshold\n"
         "(face, body, scene units)", TRAINED)
    _box(ax, 0.55, 0.3, 0.2, 0.4, "responses to the\nshared natural images:\nprofile and RDM")
    _box(ax, 0.83, 0.3, 0.17, 0.4, "human-human vs\nhuman-network\nsimilarity")
    _arrow(ax, (0.17, 0.55), (0.25, 0.76))
    _arrow(ax, (0.17, 0.45), (0.25, 0.24))
    _arrow(ax, (0.47, 0.76), (0.55, 0.55))
    _arrow(ax, (0.47, 0.24), (0.55, 0.45))
    _arrow(ax, (0.75, 0.5), (0.83, 0.5))


def comparison(ax: plt.Axes, letter: str = "a") -> None:
    """The comparison: two subjects' profiles give the human-human similarity (the ceiling), a
    subject's and a network's the human-network similarity, each corrected for the profiles'
    measured reliability; the gap is their difference."""
    _frame(ax, letter, "the comparison")
    _box(ax, 0.0, 0.56, 0.2, 0.38, "subject i\n(selected voxels)", HUMAN)
    _box(ax, 0.0, 0.06, 0.2, 0.38, "subject j\n(selected voxels)", HUMAN)
    _box(ax, 0.4, 0.56, 0.2, 0.38, "network\n(selected units)", TRAINED)
    _arrow(ax, (0.1, 0.44), (0.1, 0.56), both=True, color=HUMAN)
    ax.text(0.12, 0.5, "HH", transform=ax.transAxes, va="center", fontsize=SMALL, color=HUMAN)
    _arrow(ax, (0.2, 0.75), (0.4, 0.75), both=True, color=TRAINED)
    ax.text(0.3, 0.8, "HN", transform=ax.transAxes, ha="center", fontsize=SMALL,
            color=TRAINED)
    ax.text(0.64, 0.5, "r: similarity of the profiles (univariate)\n"
            "or of the RDMs (multivariate), noise-corrected:\n"
            "r / sqrt(reliability x reliability); gap = HH - HN,\n"
            "above 0 where a network falls below the ceiling", transform=ax.transAxes,
            va="center", fontsize=SMALL, linespacing=1.3)


def encoding(ax: plt.Axes, letter: str = "a") -> None:
    """The encoding models: a layer's units predict each voxel (ridge, fitted on a subject's own
    images, tested on the shared ones) with all units, without the selective ones, with them
    alone, with random sets of the same size, or with the selective units silenced in the
    forward pass and a later layer read."""
    _frame(ax, letter, "encoding models")
    _box(ax, 0.0, 0.3, 0.17, 0.4, "network layer\n(its units)", TRAINED)
    _box(ax, 0.27, 0.3, 0.17, 0.4, "ridge regression\nper voxel")
    _box(ax, 0.53, 0.25, 0.19, 0.5, "accuracy against the\nmeasured responses\n(shared images)",
         HUMAN)
    _arrow(ax, (0.17, 0.5), (0.27, 0.5))
    _arrow(ax, (0.44, 0.5), (0.53, 0.5))
    ax.text(0.75, 0.5, "feature sets: all units; without the\nselective units (necessity); "
            "selective\nunits alone (sufficiency); random sets\nof the same size; selective "
            "units\nsilenced in the forward pass (in silico)", transform=ax.transAxes,
            va="center", fontsize=SMALL, linespacing=1.3, color="#222222")
