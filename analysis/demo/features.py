"""Image-computable features of the synthetic brain (SYNTHETIC DATA).

The simulated voxels read their image-specific structure from the rendered pixels, so a model
that sees the images can in principle predict them: a fixed random convolutional feature map,

    F(i) = pool_{2x2}( relu( W * downsample_32(x_i) + b ) )        (n, N_FILTERS * 4)

with ``W`` (N_FILTERS, 3, KERNEL, KERNEL) zero-mean random filters (oriented colour/luminance
edges and blobs, insensitive to the overall brightness), ``b`` a random bias, the ReLU map
average-pooled over the four image quadrants, and every feature standardised over images.
The filters come from the simulation's seeded generator, so the same seed gives the same map.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

N_FILTERS = 32
KERNEL = 5
SIDE = 32        # images are block-averaged to SIDE x SIDE before the convolution
_CHUNK = 64      # images per convolution chunk (bounds memory to ~20 MB)


def downsample(images: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Block-average uint8 images (n, S, S, 3) to float (n, side, side, 3) in [0, 1].

    S must be a multiple of ``side``."""
    n, s, s2, c = images.shape
    if s != s2 or s % side:
        raise ValueError(f"images are {s}x{s2}; the feature map needs square images whose side "
                         f"is a multiple of {side} (simulate.image_size)")
    f = s // side
    x = images.reshape(n, side, f, side, f, c).astype(np.float64) / 255.0
    return x.mean(axis=(2, 4))


def draw_filters(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Zero-mean unit-norm filters (N_FILTERS, KERNEL, KERNEL, 3) and biases (N_FILTERS,)."""
    w = rng.normal(size=(N_FILTERS, KERNEL, KERNEL, 3))
    w -= w.mean(axis=(1, 2, 3), keepdims=True)
    w /= np.linalg.norm(w.reshape(N_FILTERS, -1), axis=1)[:, None, None, None]
    return w, rng.normal(0.0, 0.05, N_FILTERS)


def pixel_features(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The fixed random convolutional features of uint8 images (n, S, S, 3): (n, N_FILTERS*4),
    each column standardised over images (a constant column stays 0)."""
    w, b = draw_filters(rng)
    x = downsample(images)
    out = []
    half = (SIDE - KERNEL + 1) // 2
    for i in range(0, len(x), _CHUNK):
        patches = sliding_window_view(x[i:i + _CHUNK], (KERNEL, KERNEL), axis=(1, 2))
        # patches: (n, H', W', 3, K, K) -> responses (n, H', W', N_FILTERS)
        r = np.maximum(np.einsum("nhwcij,fijc->nhwf", patches, w, optimize=True) + b, 0.0)
        q = [r[:, :half, :half], r[:, :half, half:], r[:, half:, :half], r[:, half:, half:]]
        out.append(np.concatenate([p.mean(axis=(1, 2)) for p in q], axis=1))
    feats = np.concatenate(out)
    sd = feats.std(0)
    return (feats - feats.mean(0)) / np.where(sd > 0, sd, 1.0)


def latent_features(images: np.ndarray, n_latent: int, rng: np.random.Generator) -> np.ndarray:
    """(n, n_latent) standardised random projections of :func:`pixel_features`: the
    image-specific structure every simulated region reads out."""
    feats = pixel_features(images, rng)
    z = feats @ rng.normal(size=(feats.shape[1], n_latent)) / np.sqrt(feats.shape[1])
    return (z - z.mean(0)) / z.std(0)
