"""Image domains (analysis.analyses.ood_decoding.domains): formats, an independent reference for the
luminance (PIL), and planted structure (a dark disc on a light noisy background) that each
transform must keep or remove."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from analysis.analyses.ood_decoding import domains as dom
from analysis.errors import InputError

N = 128  # image side (px)
RADIUS = 0.25 * N  # the planted disc's radius (px)


def disc_image(noise: float = 15.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A dark disc (grey 60) on a light background (grey 200), plus Gaussian pixel noise of SD
    ``noise`` grey levels: the uint8 (N, N, 3) image, the disc mask (N, N) and each pixel's
    distance from the disc's centre (N, N, px)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:N, :N]
    r = np.hypot(yy - N / 2 + 5, xx - N / 2 + 8)
    disc = r < RADIUS
    lum = np.where(disc, 60.0, 200.0) + noise * rng.normal(size=(N, N))
    gray = np.clip(np.rint(lum), 0, 255).astype(np.uint8)
    return np.repeat(gray[:, :, None], 3, axis=2), disc, r


def noise_rgb(seed: int = 1, shape: tuple[int, ...] = (N, N, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)


@pytest.mark.parametrize("name", list(dom.TRANSFORMS))
@pytest.mark.parametrize("shape", [(48, 64), (48, 64, 3)])
def test_every_domain_returns_uint8_rgb_of_the_same_size_deterministically(name, shape):
    image = noise_rgb(shape=shape)
    out = dom.apply(name, image)
    assert out.dtype == np.uint8 and out.shape == (48, 64, 3)
    np.testing.assert_array_equal(out, dom.apply(name, image))


def test_original_is_the_image_and_gray_input_is_replicated():
    rgb = noise_rgb()
    np.testing.assert_array_equal(dom.original(rgb), rgb)
    gray = rgb[:, :, 0]
    np.testing.assert_array_equal(dom.original(gray), np.stack([gray] * 3, axis=2))


def test_grayscale_matches_pil_and_has_equal_channels():
    rgb = noise_rgb()
    out = dom.grayscale(rgb).astype(int)
    assert (out == out[:, :, :1]).all()
    pil = np.asarray(Image.fromarray(rgb).convert("L")).astype(int)
    assert np.abs(out[:, :, 0] - pil).max() <= 1


def test_blur_lowers_high_frequency_energy():
    image = noise_rgb()

    def energy(x: np.ndarray) -> float:
        return float(np.mean(np.abs(ndimage.laplace(x[:, :, 0].astype(float)))))

    assert energy(dom.blur(image)) < 0.2 * energy(image)


def test_mosaic_is_constant_in_each_tile_and_keeps_tile_means():
    image = noise_rgb()
    out = dom.mosaic(image).astype(float)
    tile = round(N * dom.MOSAIC_TILE)
    for i in range(0, N, tile):
        for j in range(0, N, tile):
            block = out[i:i + tile, j:j + tile]
            assert (block == block[0, 0]).all()
            mean = image[i:i + tile, j:j + tile].reshape(-1, 3).mean(axis=0)
            assert np.abs(block[0, 0] - mean).max() <= 0.5


def test_silhouette_recovers_a_planted_disc():
    image, disc, _ = disc_image()
    out = dom.silhouette(image)[:, :, 0]
    assert set(np.unique(out)) <= {0, 255}
    black = out == 0
    assert (black & disc).sum() / (black | disc).sum() > 0.9
    # a light object on a dark background is black too (the object side is found by the border)
    inverted = dom.silhouette(255 - image)[:, :, 0] == 0
    assert (inverted & disc).sum() / (inverted | disc).sum() > 0.9


def test_otsu_threshold_separates_two_levels():
    values = np.r_[np.full(30, 40.0), np.full(70, 180.0)]
    assert 40 <= dom.otsu_threshold(values) < 180
    assert dom.otsu_threshold(np.full(10, 7.0)) == 7.0  # a constant image: its own level


def test_edges_are_darkest_on_the_disc_boundary():
    image, _, r = disc_image()
    out = dom.edges(image)[:, :, 0].astype(float)
    ring = np.abs(r - RADIUS) < 1.5
    assert out[ring].mean() < out[r < RADIUS - 4].mean() - 100
    assert out[ring].mean() < out[r > RADIUS + 4].mean() - 100
    assert (dom.edges(np.full((20, 20), 90, np.uint8)) == 255).all()  # no edges: white


def test_line_drawing_is_binary_sparse_and_on_the_boundary():
    image, _, r = disc_image()
    out = dom.line_drawing(image)[:, :, 0]
    assert set(np.unique(out)) <= {0, 255}
    black = out == 0
    near = np.abs(r - RADIUS) < 3
    assert black.mean() < 0.1
    assert black[near].mean() > 5 * black[~near].mean()


def test_unknown_domain_and_bad_images_are_named():
    with pytest.raises(InputError, match="'cartoon'.*original, grayscale"):
        dom.apply("cartoon", noise_rgb())
    with pytest.raises(InputError, match="dtype float64"):
        dom.apply("blur", np.zeros((8, 8)))
    with pytest.raises(InputError, match=r"shape \(8, 8, 4\)"):
        dom.apply("blur", np.zeros((8, 8, 4), np.uint8))
