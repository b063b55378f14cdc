"""Synthetic worlds for the encoding tests (tests/test_encoding.py): one layer's units, its
selective units S and subjects' voxel responses, and every feature set's accuracy
(:func:`accuracies`).

Realistic in the ways that matter for the tests: some images drive everything more (signal
strength varies across images), units differ in gain, voxels share part of their noise, each
subject has 3 repetitions of the test images at its own ncsnr, and subjects' voxel weights
differ around a shared pattern. Kinds:

* ``distributed`` (the null): the brain is driven by features spread over the whole layer; S
  is a fixed set of units drawn like any other, so S is exchangeable with random sets of its
  size;
* ``concentrated``: S carry features no other unit carries, and only those drive the brain;
* ``unique``: S carry the distributed features like every unit, plus features only they carry;
  those drive a share ``unique_share`` of every voxel's signal (= explainable) variance.

All subjects see the same images, so one fit per feature set serves every subject (the
subjects' voxels are the targets of one ridge, alpha chosen per target, as in separate fits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.analyses.encoding import voxelwise as encoding

ALPHAS = list(np.logspace(-3, 3, 13))
#: Gain of the unique features in the selective units of the ``unique`` world.
UNIQUE_GAIN = 3.0


def _measure(signal: np.ndarray, rng: np.random.Generator, ncsnr: float) -> np.ndarray:
    """Three repetitions of (n, v) z-scored signal with voxel-correlated noise at ``ncsnr``."""
    s = (signal - signal.mean(0)) / signal.std(0)
    noise = (np.sqrt(0.7) * rng.normal(size=(*s.shape, 3))
             + np.sqrt(0.3) * rng.normal(size=(s.shape[0], 1, 3)))
    return s[:, :, None] + noise / ncsnr


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(0)) / x.std(0)


def world(kind: str, seed: int, n_train: int = 240, n_test: int = 120, n_units: int = 400,
          n_sel: int = 40, n_subjects: int = 8, n_voxels: int = 25, unique_share: float = 0.0
          ) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """(units (n, n_units) rectified, selective mask (n_units,), per subject (train targets
    (n_train, n_voxels), test repetitions (n_test, n_voxels, 3)))."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    strength = rng.lognormal(0, 0.4, (n, 1))        # some images drive everything more
    z = rng.normal(size=(n, 10)) * strength          # features spread over the layer
    u = rng.normal(size=(n, 4)) * strength           # features only selective units carry
    gain = rng.lognormal(0, 0.3, n_units)           # units differ in gain
    units = (z @ rng.normal(size=(10, n_units)) + 0.3 * rng.normal(size=(n, n_units))) * gain
    sel = np.zeros(n_units, bool)
    sel[:n_sel] = True
    if kind == "concentrated":
        units[:, sel] = u @ rng.normal(size=(4, n_sel)) + 0.3 * rng.normal(size=(n, n_sel))
    elif kind == "unique":
        units[:, sel] += UNIQUE_GAIN * u @ rng.normal(size=(4, n_sel))
    elif kind != "distributed":
        raise ValueError(f"unknown world {kind}")
    units = np.maximum(units + 1.0, 0)               # rectified responses with a baseline
    w_z, w_u = rng.normal(size=(10, n_voxels)), rng.normal(size=(4, n_voxels))
    subjects = []
    for _ in range(n_subjects):
        sz = _z(z @ (w_z + 0.3 * rng.normal(size=w_z.shape)))
        su = _z(u @ (w_u + 0.3 * rng.normal(size=w_u.shape)))
        signal = {"distributed": sz, "concentrated": su,
                  "unique": np.sqrt(1 - unique_share) * sz + np.sqrt(unique_share) * su}[kind]
        reps = _measure(signal, rng, rng.uniform(0.3, 0.6))
        subjects.append((reps[:n_train].mean(2), reps[n_train:]))
    return units, sel, subjects


def accuracies(units: np.ndarray, sel: np.ndarray, subjects: list, random_sets: int,
               seed: int) -> pd.DataFrame:
    """Median noise-normalised voxel r per subject, feature set and draw (columns subject,
    feature_set, draw, acc), with ``random_sets`` random sets of S's size."""
    rng = np.random.default_rng(seed)
    p, n_sel = len(sel), int(sel.sum())
    rand = [np.isin(np.arange(p), rng.choice(p, n_sel, replace=False))
            for _ in range(random_sets)]
    sets = encoding.feature_kernels(units @ units.T, units[:, sel] @ units[:, sel].T,
                                    [units[:, m] @ units[:, m].T for m in rand])
    n_train = subjects[0][0].shape[0]
    y = np.concatenate([s[0] for s in subjects], axis=1)
    cols = np.cumsum([0] + [s[0].shape[1] for s in subjects])
    rows = []
    test = np.concatenate([s[1] for s in subjects], axis=1)
    for (name, draw), k in sets.items():
        pred, _ = encoding.fit_predict(k, n_train, y, ALPHAS)
        r = encoding.voxel_accuracy(pred, test)["r_normalised"].to_numpy()  # voxel by voxel
        rows += [{"subject": s, "feature_set": name, "draw": draw,
                  "acc": float(np.nanmedian(r[cols[s]:cols[s + 1]]))}
                 for s in range(len(subjects))]
    return pd.DataFrame(rows)


#: A smaller world for Monte-Carlo over many worlds (81 fits of 80 images: under a second).
SMALL = {"n_train": 80, "n_test": 50, "n_units": 120, "n_sel": 12, "n_voxels": 6}


def summary(kind: str, seed: int, random_sets: int = 39, margin: float = 0.05,
            **size) -> dict:
    """necessity_sufficiency and verdict at 0.05 of one world."""
    units, sel, subjects = world(kind, seed, **size)
    out = encoding.necessity_sufficiency(
        accuracies(units, sel, subjects, random_sets, seed + 10_000), "acc", margin)
    return out | encoding.verdict(out, 0.05)
