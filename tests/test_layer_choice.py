"""Cross-validated layer choice picks the planted layer on held-out images."""

import numpy as np

from analysis.stats.layer_choice import cross_validated, halves
from tests.test_comparison import N_IMG, N_VOX, brain, network


def _world(rng):
    truth = rng.normal(size=(N_IMG, N_VOX)) + rng.normal(size=(N_IMG, 1))
    brains = [brain(s, truth[:, :, None] + rng.normal(size=(N_IMG, N_VOX, 3)))
              for s in range(1, 7)]
    good = network("net", 0.9 * truth + 0.3 * rng.normal(size=truth.shape))
    bad = network("net", rng.normal(size=truth.shape))
    return brains, good, bad


def test_halves_are_disjoint_and_cover_the_images():
    folds = halves(11, np.random.default_rng(0))
    (a, b), (c, d) = folds
    assert np.array_equal(a, d) and np.array_equal(b, c)
    assert sorted(np.concatenate([a, b]).tolist()) == list(range(11)) and len(a) == 5


def test_the_planted_layer_is_chosen_in_both_folds_and_scores_high_held_out():
    rng = np.random.default_rng(0)
    brains, good, bad = _world(rng)
    table, chosen = cross_validated(brains, {"net": {"blocks.5": bad, "blocks.6": good}},
                                    halves(N_IMG, rng))
    assert (chosen["layer"] == "blocks.6").all() and len(chosen) == 4  # 2 folds x 2 measures
    hn = table[table["kind"] == "hn"].groupby("measure")["r_corrected"].mean()
    assert (hn > 0.8).all()
    assert "b_layer" not in table  # held-out rows name the model; layers are in `chosen`
    hh = table[table["kind"] == "hh"]
    assert len(hh) == 2 * 15  # 6 subjects: 15 pairs per measure, averaged over folds


def test_a_layer_without_enough_units_is_never_chosen():
    rng = np.random.default_rng(1)
    brains, good, _ = _world(rng)
    tiny = good.take(np.arange(2))  # two units: no profile
    _, chosen = cross_validated(brains, {"net": {"z_tiny": tiny, "blocks.6": good}},
                                halves(N_IMG, rng))
    assert (chosen["layer"] == "blocks.6").all()
