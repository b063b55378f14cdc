"""In-silico unit lesions that propagate (analysis.nets.insilico): the tail after a layer
reproduces the full forward pass, silencing follows the output's sign, and a network that does
not run its children in order is refused."""

import numpy as np
import pytest
import torch

from analysis.errors import InputError
from analysis.nets import insilico


class _Net(torch.nn.Module):
    def __init__(self, swap: bool = False):
        super().__init__()
        torch.manual_seed(0)
        self.stem = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.blocks = torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, padding=1),
                                          torch.nn.Conv2d(4, 5, 3, padding=1))
        self.head = torch.nn.Conv2d(5, 6, 1)
        self.act = torch.nn.ReLU()
        self.swap = swap

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(self.act(x)) if self.swap else self.act(self.head(x))


def _images(n=6):
    return np.random.default_rng(0).integers(0, 256, (n, 3, 8, 8), dtype=np.uint8)


def test_tail_reproduces_the_forward_pass_and_lesions_silence_units():
    net = _Net().eval()
    tail = insilico.tail_after(net, "blocks.0", "act")
    assert [type(m).__name__ for m in tail] == ["Conv2d", "Conv2d", "ReLU"]
    imgs = _images()
    insilico.check_tail(net, tail, imgs, "blocks.0", "act", [0.5] * 3, [0.25] * 3,
                        torch.device("cpu"))
    from analysis.nets.extraction import normalise
    from analysis.nets.hooks import recording
    with torch.inference_mode(), recording(net, ["blocks.0"]) as rec:
        net(normalise(imgs, [0.5] * 3, [0.25] * 3, torch.device("cpu")))
        cached = rec["blocks.0"].clone()
    raw = cached.flatten(1).numpy()
    mask = np.zeros(raw.shape[1], bool)
    mask[:64] = True  # channel 0 at every position
    out = {name: (how, f) for name, how, f in insilico.lesioned_readouts(
        tail, raw, tuple(cached.shape[1:]), {"intact": None, "lesion": mask}, "rectified", 4,
        torch.device("cpu"))}
    assert out["intact"][0] == "intact"
    assert out["lesion"][0] == "mean_ablation"  # a conv output is signed
    with torch.inference_mode():
        want = torch.relu(tail(cached)).flatten(1).numpy()
        x = cached.clone()
        x[:, 0] = cached[:, 0].mean(0)
        lesioned = torch.relu(tail(x)).flatten(1).numpy()
    np.testing.assert_allclose(out["intact"][1], want, rtol=1e-2, atol=1e-2)  # float16 store
    np.testing.assert_allclose(out["lesion"][1], lesioned, rtol=1e-2, atol=1e-2)
    assert np.abs(out["lesion"][1] - out["intact"][1]).max() > 0.05
    (_, _, pooled), = insilico.lesioned_readouts(tail, raw, tuple(cached.shape[1:]),
                                                 {"lesion": mask}, "rectified", 4,
                                                 torch.device("cpu"), pool=True)
    np.testing.assert_allclose(pooled, lesioned.reshape(len(raw), 6, -1).mean(2), rtol=1e-2,
                               atol=1e-2)  # the read-out's kernel means over positions


def test_non_negative_outputs_are_zeroed():
    raw = np.random.default_rng(0).random((5, 18)).astype(np.float32)
    tail = torch.nn.Identity()
    mask = np.zeros(18, bool)
    mask[9:] = True  # channel 1
    (_, how, f), = insilico.lesioned_readouts(tail, raw, (2, 3, 3), {"l": mask}, "signed", 2,
                                              torch.device("cpu"))
    assert how == "zero"
    assert np.all(f.reshape(5, 2, 3, 3)[:, 1] == 0)


def test_out_of_order_networks_and_bad_readouts_are_refused():
    net = _Net(swap=True).eval()
    tail = insilico.tail_after(net, "blocks.1", "act")  # registration order: head, act
    with pytest.raises(InputError, match="registration order"):
        insilico.check_tail(net, tail, _images(), "blocks.1", "act", [0.5] * 3, [0.25] * 3,
                            torch.device("cpu"))
    with pytest.raises(InputError, match="not a module after"):
        insilico.tail_after(net, "blocks.1", "stem")
    with pytest.raises(InputError, match="inside"):
        insilico.tail_after(_Net(), "stem", "blocks.1")
