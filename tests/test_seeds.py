"""Named random streams: reproducible, independent of each other and of creation order."""

import numpy as np

from analysis.seeds import child_seed, stream


def test_same_names_same_numbers_whatever_was_drawn_before():
    a = stream(5, "bootstrap", "FFA").random(5)
    stream(5, "bootstrap", "OFA").random(100)  # another region drawn in between
    assert np.array_equal(stream(5, "bootstrap", "FFA").random(5), a)


def test_different_names_or_seeds_give_different_streams():
    ffa = stream(5, "bootstrap", "FFA").random(1000)
    assert not np.allclose(ffa, stream(5, "bootstrap", "OFA").random(1000))
    assert not np.allclose(ffa, stream(6, "bootstrap", "FFA").random(1000))
    assert not np.allclose(ffa, stream(5, "cv-halves", "FFA").random(1000))
    assert abs(np.corrcoef(ffa, stream(5, "bootstrap", "OFA").random(1000))[0, 1]) < 0.1


def test_child_seed_is_a_stable_integer():
    assert child_seed(5, "svm", "m") == child_seed(5, "svm", "m") != child_seed(5, "svm", "n")
    assert isinstance(child_seed(5, "svm"), int)
