"""The data model: shapes and ids are checked; selection keeps ids; systems must share stimuli."""

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.responses import BrainId, NetworkId, Responses, Selection, check_aligned


def _brain(n_img=4, n_vox=3, n_rep=2, stimuli=None):
    data = np.arange(n_img * n_vox * n_rep, dtype=float).reshape(n_img, n_vox, n_rep)
    return Responses(data, np.arange(n_img) if stimuli is None else stimuli,
                     np.arange(10, 10 + n_vox), BrainId(1, "FFA", Selection("fLOC", "faces", 7)))


def test_shapes_and_ids_are_checked():
    with pytest.raises(ValueError, match="stimuli, channels, reps"):
        Responses(np.zeros((4, 3)), np.arange(4), np.arange(3), BrainId(1, "FFA"))
    with pytest.raises(ValueError, match="3 stimulus ids and 3 channel ids"):
        Responses(np.zeros((4, 3, 1)), np.arange(3), np.arange(3), BrainId(1, "FFA"))


def test_take_keeps_channel_ids_and_mean_ignores_missing_repetitions():
    r = _brain()
    r.data[0, 0, 1] = np.nan
    sub = r.take(np.array([False, True, True]))
    assert sub.channels.tolist() == [11, 12] and sub.n_channels == 2 and sub.system == r.system
    assert r.mean()[0, 0] == r.data[0, 0, 0]
    net = Responses.from_network(np.ones((4, 5)), np.arange(4), np.arange(5),
                                 NetworkId("m", "blocks.6", True))
    assert net.n_reps == 1 and net.mean().shape == (4, 5) and net.system.noiseless


def test_identity_fields_are_typed_not_packed_strings():
    b = BrainId(3, "EBA")
    n = NetworkId("effnet_lite0", "blocks.6", False, Selection("floc", "bodies", 7))
    assert b.fields() == {"subject": 3, "region": "EBA"} and not b.noiseless
    assert n.fields() == {"model": "effnet_lite0", "layer": "blocks.6", "trained": False,
                          "units": "bodies"}


def test_systems_must_respond_to_the_same_stimuli_in_the_same_order():
    check_aligned([_brain(), _brain()])
    with pytest.raises(InputError, match="different stimuli"):
        check_aligned([_brain(), _brain(stimuli=np.array([1, 0, 2, 3]))])


def test_every_identity_says_its_kind_and_noise():
    """Brains and recordings are measured with noise; networks and controls presented as
    networks are not; a control keeps its kind through the negative control's shuffle."""
    from analysis.responses import RecordingId
    from analysis.stats.controls import negative

    assert (BrainId(1, "FFA").kind, BrainId(1, "FFA").noiseless) == ("brain", False)
    assert (NetworkId("m", "l", True).kind, NetworkId("m", "l", True).noiseless) == (
        "network", True)
    rec = RecordingId("neural")
    assert (rec.kind, rec.noiseless, rec.fields()) == (
        "recording", False, {"recording": "neural", "sites": "sites"})
    net = Responses.from_network(np.arange(6.0).reshape(3, 2), np.array(["a", "b", "c"]),
                                 np.arange(2), NetworkId("m", "l", True))
    neg = negative(net, np.random.default_rng(0))
    assert neg.system.kind == "control" and net.system.kind == "network"


def test_on_reorders_to_the_given_stimuli_and_names_a_missing_one():
    r = Responses.from_network(np.arange(6.0).reshape(3, 2), np.array(["a", "b", "c"]),
                               np.arange(2), NetworkId("m", "l", True))
    back = r.on(np.array(["c", "a"]))
    assert back.stimuli.tolist() == ["c", "a"]
    np.testing.assert_array_equal(back.mean(), [[4.0, 5.0], [0.0, 1.0]])
    with pytest.raises(InputError, match="stimulus 'z'"):
        r.on(np.array(["a", "z"]))
