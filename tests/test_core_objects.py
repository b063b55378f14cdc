"""The core-objects figure's helpers (analysis/report/figures/core_objects.py): images sorted
by their first annotation label, profiles standardized, RDMs rank-transformed."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata, zscore

from analysis.report.figures.core_objects import LABELS, OTHER, image_order, rank_transform
from analysis.report.figures.core_objects import zscore as profile_z


def _annotations(rows: dict[int, str | None]) -> pd.DataFrame:
    return pd.DataFrame([{"image_id": i, **{c: int(c == label) for c in LABELS}}
                         for i, label in rows.items()])


def test_images_sort_by_their_first_label_then_keep_their_order():
    table = _annotations({10: None, 11: "scene_with_people", 12: "human_face",
                          13: "animal_face", 14: "human_face"})
    table.loc[table["image_id"] == 13, "human_face"] = 1  # two labels: the first one counts
    order, groups = image_order(table, np.array([10, 11, 12, 13, 14]))
    assert list(np.array([10, 11, 12, 13, 14])[order]) == [12, 13, 14, 11, 10]
    assert groups == ["human_face", "human_face", "human_face", "scene_with_people", OTHER]


def test_an_image_without_annotation_is_named():
    with pytest.raises(KeyError, match=r"\[99\]"):
        image_order(_annotations({1: "human_face"}), np.array([1, 99]))


def test_profiles_are_standardized_like_scipy_and_a_constant_one_stays_flat():
    x = np.array([1.0, 4.0, 2.0, 8.0])
    assert np.allclose(profile_z(x), zscore(x))
    assert np.array_equal(profile_z(np.full(3, 2.0)), np.zeros(3))


def test_rank_transform_gives_percentiles_with_ties_averaged_and_nan_kept():
    d = np.array([0.3, 0.1, np.nan, 0.3, 0.9])
    out = rank_transform(d)
    ok = np.isfinite(d)
    assert np.allclose(out[ok], (rankdata(d[ok]) - 1) / 3 * 100)
    assert np.isnan(out[2]) and out[ok].min() == 0 and out[ok].max() == 100
