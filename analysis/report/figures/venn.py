"""Area-proportional two-set Venn diagrams drawn with matplotlib (Figures 2 and 4).

Each set is a circle whose area is its size; the centres are placed so the lens where the
circles meet has the area of the intersection (solved with scipy's brentq on the closed-form
lens area)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle
from scipy.optimize import brentq


def lens_area(r1: float, r2: float, d: float) -> float:
    """Area of the intersection of two circles of radii r1, r2 whose centres are d apart."""
    if d >= r1 + r2:
        return 0.0
    if d <= abs(r1 - r2):
        return float(np.pi * min(r1, r2) ** 2)
    a1 = r1 ** 2 * np.arccos((d ** 2 + r1 ** 2 - r2 ** 2) / (2 * d * r1))
    a2 = r2 ** 2 * np.arccos((d ** 2 + r2 ** 2 - r1 ** 2) / (2 * d * r2))
    k = 0.5 * np.sqrt((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2))
    return float(a1 + a2 - k)


def centre_distance(only_a: float, both: float, only_b: float) -> tuple[float, float, float]:
    """Radii (r_a, r_b) and centre distance d of circles with areas only_a + both and
    only_b + both whose lens has area ``both`` (counts, any unit). Raises ValueError on a
    negative count or two empty sets."""
    if min(only_a, both, only_b) < 0:
        raise ValueError(f"Venn counts must be >= 0, got {only_a}, {both}, {only_b}")
    if only_a + both + only_b == 0:
        raise ValueError("Venn diagram of two empty sets")
    r1, r2 = np.sqrt((only_a + both) / np.pi), np.sqrt((only_b + both) / np.pi)
    if both == 0:
        return r1, r2, r1 + r2
    if min(only_a, only_b) == 0:  # one set inside the other
        return r1, r2, abs(r1 - r2)
    d = brentq(lambda x: lens_area(r1, r2, x) - both, abs(r1 - r2) + 1e-12, r1 + r2 - 1e-12,
               xtol=1e-12)
    return r1, r2, float(d)


def draw_venn(ax: plt.Axes, only_a: float, both: float, only_b: float, colors: tuple[str, str],
              scale: float, centre: tuple[float, float] = (0.0, 0.0)) -> None:
    """Two circles (set A left, B right) in data coordinates, radii multiplied by ``scale``
    so diagrams drawn with one scale compare by area, centred on ``centre``."""
    r1, r2, d = centre_distance(only_a, both, only_b)
    r1, r2, d = r1 * scale, r2 * scale, d * scale
    x0 = centre[0] - (d + r2 - r1) / 2
    for x, r, c in ((x0, r1, colors[0]), (x0 + d, r2, colors[1])):
        ax.add_patch(Circle((x, centre[1]), r, facecolor=c, alpha=0.45, edgecolor=c, lw=0.6))
