"""Identity decoding recovers planted identity signal (chance without it); lesions hit the
kernels that carry it."""

import numpy as np
import pytest
import scipy.stats
import torch

from analysis.methods.decoding import classifier, cv_accuracy, folds, mean_ci
from analysis.nets.hooks import recording, replacing
from analysis.nets.lesion import lesion_effects, silence_kernel, silencing_fill


def test_decoding_recovers_identity_and_is_at_chance_without_it():
    rng = np.random.default_rng(0)
    ids = np.repeat(np.arange(10), 8)
    centres = rng.normal(0, 1, (10, 30))
    x = centres[ids] + 0.5 * rng.normal(size=(80, 30))
    assert cv_accuracy(x, ids, seed=0).mean() > 0.9
    null = [cv_accuracy(rng.normal(size=(80, 30)), ids, seed=s).mean() for s in range(10)]
    assert np.mean(null) == pytest.approx(0.1, abs=0.05)


def test_mean_ci_is_a_t_interval():
    m, lo, hi = mean_ci(np.array([0.5, 0.6, 0.7]))
    assert m == pytest.approx(0.6) and lo < 0.6 < hi
    assert hi - m == pytest.approx(4.302652729 * 0.1 / np.sqrt(3), rel=1e-6)


class Toy(torch.nn.Module):
    """Input channels 0..3 pass through a 1x1 'layer'; only kernels 0 and 1 carry identity."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Conv2d(3, 4, 1, bias=False)
        w = torch.zeros(4, 3, 1, 1)
        w[0, 0] = w[1, 1] = 1.0
        w[2, 2] = w[3, 2] = 1.0
        self.layer.weight.data = w
        self.head = torch.nn.Identity()

    def forward(self, x):
        return self.head(self.layer(x))


def test_kernel_lesion_zeroes_one_channel_and_is_removed_after_the_block():
    m = Toy()
    x = torch.ones(1, 3, 2, 2)
    with replacing(m.layer, lambda out: silence_kernel(out, 1)):
        out = m(x)
    assert out[:, 1].abs().sum() == 0 and out[:, 0].abs().sum() > 0
    assert m(x)[:, 1].abs().sum() > 0 and not m.layer._forward_hooks


def _identity_images() -> tuple[np.ndarray, np.ndarray]:
    """36 uint8 4x4 images of 6 identities for :class:`Toy`: channels 0 and 1 code the
    identity (plus noise), channel 2 is noise (kernels 2 and 3)."""
    rng = np.random.default_rng(1)
    ids = np.repeat(np.arange(6), 6)
    code = rng.uniform(0, 255, (6, 2))
    img = np.zeros((36, 3, 4, 4), np.uint8)
    img[:, 0] = np.clip(code[ids, 0] + rng.normal(0, 8, 36), 0, 255)[:, None, None]
    img[:, 1] = np.clip(code[ids, 1] + rng.normal(0, 8, 36), 0, 255)[:, None, None]
    img[:, 2] = rng.uniform(0, 255, (36, 1, 1))
    return img, ids


def test_lesions_rank_identity_kernels_first():
    img, ids = _identity_images()
    table = lesion_effects(Toy(), img, ids, "layer", "head", (0, 0, 0), (1, 1, 1), 12,
                           torch.device("cpu"), lambda: classifier(1.0), folds(ids, 0))
    assert table.attrs["intact_accuracy"] > 0.8
    assert set(table.nlargest(2, "effect")["kernel"]) == {0, 1}
    # the drop and the accuracy after the lesion rank kernels identically (ties included), so
    # the metric-lesion correlation flips sign exactly between the two conventions
    np.testing.assert_array_equal(scipy.stats.rankdata(table["effect"]),
                                  scipy.stats.rankdata(-table["accuracy"]))
    assert table.set_index("kernel").loc[[2, 3], "effect"].abs().max() < 0.15


def test_sequential_tail_gives_the_same_features_as_the_full_forward_pass():
    import timm

    from analysis.nets.lesion import _tail_features, readout, sequential_tail

    torch.manual_seed(0)
    model = timm.create_model("tf_efficientnet_lite0", pretrained=False).eval()
    img = np.random.default_rng(0).integers(0, 255, (3, 3, 64, 64)).astype(np.uint8)
    tail = sequential_tail(model, "blocks.5", "blocks.6")
    assert tail is not None and sequential_tail(model, "blocks.5", "conv_head") is None
    with recording(model, ["blocks.5"]) as out:
        readout(model, img, "blocks.6", (0.5,) * 3, (0.5,) * 3, 3, torch.device("cpu"))
        cached = out["blocks.5"]
    method, fill = silencing_fill(cached)
    assert method == "mean_ablation"  # blocks end in BatchNorm: signed
    with replacing(model.get_submodule("blocks.5"), lambda x: silence_kernel(x, 7, fill)):
        full = readout(model, img, "blocks.6", (0.5,) * 3, (0.5,) * 3, 3, torch.device("cpu"))
    fast = _tail_features(tail, cached, 7, 3, torch.device("cpu"), fill)
    np.testing.assert_allclose(fast, full, rtol=1e-5, atol=1e-6)


def test_silencing_zeroes_post_activation_kernels_and_mean_ablates_signed_ones():
    relu = torch.relu(torch.randn(5, 4, 3, 3))
    assert silencing_fill(relu) == ("zero", None)
    signed = torch.randn(5, 4, 3, 3) + 2.0
    method, fill = silencing_fill(signed)
    assert method == "mean_ablation"
    out = silence_kernel(signed, 2, fill)
    # kernel 2 carries no image information any more, and keeps its mean; others untouched
    assert torch.allclose(out[:, 2], signed[:, 2].mean(0).expand(5, 3, 3))
    assert torch.equal(out[:, [0, 1, 3]], signed[:, [0, 1, 3]])
    tokens = torch.randn(5, 6, 8)  # transformer output (B, T, D): kernel = feature
    _, fill = silencing_fill(tokens)
    out = silence_kernel(tokens, 3, fill)
    assert torch.allclose(out[..., 3], tokens[..., 3].mean(0).expand(5, 6))


def test_lesions_of_a_signed_layer_mean_ablate_and_find_the_identity_kernels():
    """With normalised (signed) inputs the toy layer is signed: its kernels are mean-ablated,
    and the two identity-carrying kernels still rank first."""
    img, ids = _identity_images()
    table = lesion_effects(Toy(), img, ids, "layer", "head", (0.5, 0.5, 0.5), (0.2, 0.2, 0.2),
                           12, torch.device("cpu"), lambda: classifier(1.0), folds(ids, 0))
    assert table.attrs["silencing"] == "mean_ablation"  # normalised inputs are signed
    assert set(table.nlargest(2, "effect")["kernel"]) == {0, 1}
