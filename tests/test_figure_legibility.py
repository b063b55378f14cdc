"""Every figure is legible where the manuscript places it (analysis/report/figures/legibility.py):
no text under 6 pt at placed size, no overlapping text boxes, no text cut off by the edge, and
short enough to leave its caption room on the page.

Each figure stage draws its figures from the committed demo results (as tests/test_figures.py
does) and every figure is checked."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from analysis.report.figures import style  # noqa: F401  (the shared rcParams)
from analysis.report.figures.legibility import MAX_HEIGHT_IN, placed_scale, problems
from tests.test_figures import STAGES, draw_figures

FIGURES = [(stage, figure) for stage, (figures, _) in sorted(STAGES.items())
           for figure in figures]


@pytest.mark.parametrize(("stage", "figure"),
                         [pytest.param(s, f, id=f.stem) for s, f in FIGURES])
def test_every_figure_is_legible_at_placed_size(stage, figure, monkeypatch):
    fig = draw_figures(stage, monkeypatch)[figure]
    found = problems(fig)
    width, height = fig.get_figwidth(), fig.get_figheight()
    plt.close("all")
    assert placed_scale(fig) >= 1 - 1e-9, f"{figure}: drawn {width:.2f} in wide, shrunk"
    assert height <= MAX_HEIGHT_IN, f"{figure}: {height:.2f} in tall, no room for its caption"
    assert not found, f"{figure}: " + "; ".join(map(str, found[:8]))


def test_the_check_finds_small_overlapping_and_clipped_text():
    fig, ax = plt.subplots(figsize=(6.3, 2))
    ax.set_title("fine", fontsize=7)
    assert problems(fig) == []
    ax.text(0.5, 0.5, "tiny", fontsize=4, transform=ax.transAxes)
    ax.text(0.1, 0.1, "one label", fontsize=8, transform=ax.transAxes)
    ax.text(0.12, 0.1, "another", fontsize=8, transform=ax.transAxes)
    fig.text(0.99, 0.5, "cut off at the edge", fontsize=8)
    found = {p.kind: str(p) for p in problems(fig)}
    assert set(found) == {"small", "overlap", "clipped"}, found
    assert "'tiny' prints at 4.0 pt" in found["small"]
    assert "'one label' and 'another'" in found["overlap"]
    plt.close(fig)


def test_a_figure_drawn_twice_as_wide_prints_at_half_size():
    fig, ax = plt.subplots(figsize=(12.6, 2))
    ax.set_xlabel("label", fontsize=10)
    found = [str(p) for p in problems(fig)]
    assert "small: 'label' prints at 5.0 pt" in found
    plt.close(fig)
