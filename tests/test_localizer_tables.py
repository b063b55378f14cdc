"""Localizer tables: counts, overlap (Jaccard) and category profiles in closed form."""

import numpy as np
import pytest

from analysis.stats.localizer_tables import category_profile, count, overlap


def test_count_and_overlap_closed_forms():
    a = np.array([1, 1, 0, 0, 1], bool)
    b = np.array([1, 0, 1, 0, 0], bool)
    assert count(a) == {"n_units": 5, "n_selected": 3, "pct_selected": 60.0}
    o = overlap(a, b)
    assert (o["floc_only"], o["both"], o["localizer2_only"]) == (2, 1, 1)
    assert o["jaccard"] == pytest.approx(1 / 4)
    assert np.isnan(overlap(np.zeros(3, bool), np.zeros(3, bool))["jaccard"])


def test_category_profile_is_the_mean_z_of_the_selected_units():
    rng = np.random.default_rng(0)
    labels = np.repeat(["faces", "bodies", "objects"], 10)
    x = rng.normal(size=(30, 6))
    x[labels == "faces", :3] += 2
    mask = np.array([1, 1, 1, 0, 0, 0], bool)
    prof = category_profile(x, labels, mask, ["faces", "bodies", "objects"])
    z = (x[:, :3] - x[:, :3].mean(0)) / x[:, :3].std(0)
    assert prof["faces"] == pytest.approx(z[labels == "faces"].mean())
    assert prof["faces"] > 0.8 > prof["bodies"]
    assert category_profile(x, labels, np.zeros(6, bool), ["faces"]) == {}
