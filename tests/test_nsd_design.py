"""Design reading: 1-based 10k/73k ids in the file, 0-based 73k ids out; shared selection."""

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.io.nsd import layout
from analysis.io.nsd.design import load_design, shared_images, trial_table


def test_trial_table_maps_ids_and_counts_repetitions(tiny_nsd):
    d = load_design(layout.expdesign(tiny_nsd.root))
    t = trial_table(d, subject=1, n_sessions=2, trials_per_session=6)
    assert t["tenk_id"].tolist() == [1, 2, 3, 1, 4, 2, 3, 1, 2, 4, 3, 4]
    # subject 1: 10k id 1 -> 73k id 5 (1-based) -> nsdId 4; 3 -> 1 -> 0; 4 -> 7 -> 6
    assert t["nsd_id"].tolist() == [4, 1, 0, 4, 6, 1, 0, 4, 1, 6, 0, 6]
    assert t["rep"].tolist() == [0, 0, 0, 1, 0, 1, 1, 2, 2, 1, 2, 2]
    assert t["session"].tolist() == [1] * 6 + [2] * 6
    assert t["position"].tolist() == list(range(6)) * 2


def test_shared515_needs_three_repetitions_in_every_subject(tiny_nsd):
    d = load_design(layout.expdesign(tiny_nsd.root))
    full = {1: trial_table(d, 1, 2, 6), 2: trial_table(d, 2, 2, 6)}
    assert shared_images(d, full, "shared515").tolist() == [1, 4]
    partial = {1: trial_table(d, 1, 2, 6), 2: trial_table(d, 2, 1, 6)}
    # subject 2 saw shared images only twice in one session: none pass shared515 ...
    assert shared_images(d, partial, "shared515").size == 0
    # ... but both pass 'seen at least once by all'
    assert shared_images(d, partial, "shared_any").tolist() == [1, 4]


def test_design_errors_name_the_file(tmp_path, tiny_nsd):
    with pytest.raises(InputError, match="nsd_expdesign.mat"):
        load_design(tmp_path / "nsddata/experiments/nsd/nsd_expdesign.mat")
    bad = tmp_path / "bad.mat"
    bad.write_bytes(b"not a mat file")
    with pytest.raises(InputError, match="bad.mat"):
        load_design(bad)
    d = load_design(layout.expdesign(tiny_nsd.root))
    with pytest.raises(InputError, match="sessions_per_subject"):
        trial_table(d, 1, n_sessions=3, trials_per_session=6)
    with pytest.raises(ValueError, match="shared515"):
        shared_images(d, {}, "shared999")
    assert np.array_equal(d.sharedix, [2, 5])
