"""Forward hooks are context managers and are removed on success and on error."""

import pytest
import torch

from analysis.nets.hooks import recording, replacing


def _net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


def _hooks(model):
    return sum(len(m._forward_hooks) for m in model.modules())


def test_recording_keeps_each_layers_output():
    model, x = _net(), torch.ones(2, 3)
    with recording(model, ["0", "2"]) as out:
        y = model(x)
    assert torch.equal(out["2"], y) and out["0"].shape == (2, 4) and _hooks(model) == 0


def test_hooks_are_removed_when_the_block_fails():
    model = _net()
    with pytest.raises(RuntimeError):
        with recording(model, ["0", "1"]):
            raise RuntimeError("forward failed")
    assert _hooks(model) == 0
    with pytest.raises(RuntimeError):
        with replacing(model[0], lambda out: out * 0):
            raise RuntimeError("forward failed")
    assert _hooks(model) == 0


def test_an_unknown_layer_removes_the_hooks_already_registered():
    model = _net()
    with pytest.raises(ValueError, match="layer 'nope' not found"):
        with recording(model, ["0", "nope"]):
            pass
    assert _hooks(model) == 0


def test_replacing_rewrites_the_output_inside_the_block_only():
    model, x = _net(), torch.ones(1, 3)
    with replacing(model[2], lambda out: torch.zeros_like(out)):
        assert model(x).abs().sum() == 0
    assert model(x).abs().sum() > 0
