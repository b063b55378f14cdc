"""Cross-validated layer choice picks the planted layer on held-out images."""

import numpy as np
import pandas as pd
import pytest

from analysis.stats.comparison import ratio_of_means
from analysis.stats.layer_choice import _score, cross_validated, halves
from analysis.validation.worlds import null_world
from tests.test_comparison import N_IMG, network


def _world(seed):
    """Six subjects of a null world, its network (the truth with random unit scales) and an
    unrelated network of the same size, both under the model name 'net'."""
    brains, good, _ = null_world(np.random.default_rng(seed))
    bad = network("net", null_world(np.random.default_rng(seed + 100))[1].data[:, :, 0])
    return brains[:6], good.relabel(bad.system), bad


def test_halves_are_disjoint_and_cover_the_images():
    folds = halves(11, np.random.default_rng(0))
    (a, b), (c, d) = folds
    assert np.array_equal(a, d) and np.array_equal(b, c)
    assert sorted(np.concatenate([a, b]).tolist()) == list(range(11)) and len(a) == 5


def test_score_is_the_ratio_of_means_and_never_picks_an_empty_layer():
    t = pd.DataFrame({"r": [0.3, 0.2, np.nan], "norm": [0.6, 0.4, 0.5]})
    assert _score(t) == pytest.approx(0.5 / 1.0)
    # no pair, or no norm: below any similarity (the docstring says -inf; np.nan_to_num makes
    # it the most negative float, which chooses the same way)
    assert _score(t.iloc[:0]) < -1e300
    assert _score(pd.DataFrame({"r": [0.3], "norm": [0.0]})) < -1e300


def test_the_planted_layer_is_chosen_in_both_folds_and_scores_high_held_out():
    brains, good, bad = _world(0)
    table, chosen = cross_validated(brains, {"net": {"blocks.5": bad, "blocks.6": good}},
                                    halves(N_IMG, np.random.default_rng(1)))
    assert (chosen["layer"] == "blocks.6").all() and len(chosen) == 4  # 2 folds x 2 measures
    assert {"r", "norm", "r_corrected"} <= set(table.columns)
    assert "b_layer" not in table  # held-out rows name the model; layers are in `chosen`
    hn = table[table["kind"] == "hn"]
    for m, g in hn.groupby("measure"):
        assert ratio_of_means(g["r"], g["norm"]) > 0.8, m
    hh = table[table["kind"] == "hh"]
    assert len(hh) == 2 * 15  # 6 subjects: 15 pairs per measure, averaged over folds


def test_a_layer_without_enough_units_is_never_chosen():
    brains, good, _ = _world(1)
    tiny = good.take(np.arange(2))  # two units: no profile
    _, chosen = cross_validated(brains, {"net": {"z_tiny": tiny, "blocks.6": good}},
                                halves(N_IMG, np.random.default_rng(2)))
    assert (chosen["layer"] == "blocks.6").all()
