"""Synthetic unit responses for the localizer tests: two independent image sets of one layer
(:func:`image_sets`). The worlds of the comparison with untrained networks, whose faces share a
low-level feature, are in analysis/validation/localizer.py.

In :func:`image_sets` the null keeps the structure of an untrained network's responses: every
image has a drive (signal strength) that all units share, higher on average for one category
(the low-level differences between the categories' images that random filters pick up), a gain
that varies across images, and a few latent features unrelated to category on which every unit
loads, so units are correlated. No unit is selective beyond the shared drive: units are
exchangeable. Planted units respond more to faces in both sets (true selectivity). Responses are
rectified.
"""

from __future__ import annotations

import numpy as np

from analysis.validation.localizer import CATS


def image_sets(rng: np.random.Generator, n_units: int = 1500, factors: int = 3,
               drive: float = 0.6, planted: int = 0, effect: float = 1.0,
               per_category: tuple[int, ...] = (48, 20)) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (x (n_images, n_units), labels (n_images,)) per entry of ``per_category`` (images per
    category of that set). drive: mean extra drive of face images, in SDs of the drive;
    factors: latent features (fewer = more strongly correlated units); the first ``planted``
    units respond ``effect`` more to faces."""
    loadings = rng.normal(0, 0.7, (n_units, factors))
    sets = []
    for n in per_category:
        labels = np.repeat(CATS, n)
        strength = rng.normal(size=labels.size) + drive * (labels == "faces")
        gain = np.exp(rng.normal(0, 0.3, labels.size))
        features = rng.normal(size=(labels.size, factors))
        x = (gain[:, None] * (strength[:, None] + features @ loadings.T)
             + rng.normal(size=(labels.size, n_units)))
        x[np.ix_(labels == "faces", np.arange(planted))] += effect
        sets.append((np.maximum(x, 0), labels))
    return sets
