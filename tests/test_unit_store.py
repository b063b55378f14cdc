"""Unit selections are read through one function (io.unit_store.selected), with the rule voxels
are selected by (t strictly above the threshold, a constant unit's NaN t never), and the
threshold of trained or untrained networks (io.selected.unit_selection)."""

import numpy as np
import pytest

from analysis import config
from analysis.errors import InputError
from analysis.io import selected, unit_store
from analysis.responses import Selection


def _store(root):
    t = np.array([7.5, 3.0, np.nan, 3.0001, -2.0])
    unit_store.write(root / "net.h5", {"layer1": {"floc": {"faces": t}}},
                     {"layer1": {"faces": np.zeros(5, bool)}})


def test_selected_is_t_strictly_above_the_threshold_and_never_nan(tmp_path):
    _store(tmp_path)
    got = unit_store.selected("net", "layer1", Selection("floc", "faces", 3.0), tmp_path)
    assert got.tolist() == [True, False, False, True, False]
    none = unit_store.selected("net", "layer1", Selection("floc", "faces", 8.0), tmp_path)
    assert not none.any()


def test_selected_names_a_missing_store(tmp_path):
    with pytest.raises(InputError, match="absent.h5"):
        unit_store.selected("absent", "layer1", Selection("floc", "faces", 3.0), tmp_path)


def test_unit_selection_uses_the_untrained_threshold_for_untrained_networks():
    params = config.load_params()
    trained = params.trained_models()[0]
    untrained = next(m for m in params.models if not params.zoo[m].trained)
    assert selected.unit_selection(params, trained, "faces") == Selection(
        "floc", "faces", params.unit_threshold(True))
    assert selected.unit_selection(params, untrained, "faces").threshold == \
        params.unit_threshold(False)
