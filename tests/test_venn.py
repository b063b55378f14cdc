"""Area-proportional Venn diagrams (analysis/report/figures/venn.py): the lens area against the
closed form for equal circles and a grid count, and circles placed so the drawn areas are the
counts."""

import numpy as np
import pytest

from analysis.report.figures.venn import centre_distance, lens_area


def test_lens_area_of_equal_circles_matches_the_closed_form():
    r, d = 1.0, 1.0
    closed = 2 * r ** 2 * np.arccos(d / (2 * r)) - d / 2 * np.sqrt(4 * r ** 2 - d ** 2)
    assert lens_area(r, r, d) == pytest.approx(closed, rel=1e-12)


def test_lens_area_of_unequal_circles_matches_a_grid_count():
    r1, r2, d = 1.0, 0.6, 1.1
    x, y = np.meshgrid(np.linspace(-1.2, 2.0, 2001), np.linspace(-1.2, 1.2, 1501))
    inside = (x ** 2 + y ** 2 <= r1 ** 2) & ((x - d) ** 2 + y ** 2 <= r2 ** 2)
    cell = (3.2 / 2000) * (2.4 / 1500)
    assert lens_area(r1, r2, d) == pytest.approx(inside.sum() * cell, rel=2e-3)


@pytest.mark.parametrize(("only_a", "both", "only_b"),
                         [(2118, 571, 202), (1027, 271, 513), (10, 1, 300), (5, 5, 5)])
def test_circles_have_the_set_sizes_and_the_lens_the_intersection(only_a, both, only_b):
    r1, r2, d = centre_distance(only_a, both, only_b)
    assert np.pi * r1 ** 2 == pytest.approx(only_a + both)
    assert np.pi * r2 ** 2 == pytest.approx(only_b + both)
    assert lens_area(r1, r2, d) == pytest.approx(both, rel=1e-9)


def test_disjoint_and_nested_sets():
    r1, r2, d = centre_distance(10, 0, 5)
    assert d == pytest.approx(r1 + r2)
    r1, r2, d = centre_distance(10, 4, 0)
    assert d == pytest.approx(r1 - r2) and lens_area(r1, r2, d) == pytest.approx(4)


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="must be >= 0"):
        centre_distance(-1, 2, 3)
    with pytest.raises(ValueError, match="two empty sets"):
        centre_distance(0, 0, 0)
