"""Named random streams: one independent generator per (seed, name, name, ...).

A stream's state depends only on the base seed and its names (e.g. ``"bootstrap", "FFA"``), never
on how many other streams were drawn before it, so adding a region or a model changes no other
region's or model's random numbers. Names are hashed (sha256) into NumPy's ``SeedSequence``
spawn key, the documented way to derive independent child streams.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _word(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "little")


def stream(seed: int, *names: str) -> np.random.Generator:
    """A generator determined by ``seed`` and the ordered ``names``."""
    return np.random.default_rng(np.random.SeedSequence(int(seed),
                                                        spawn_key=[_word(n) for n in names]))


def child_seed(seed: int, *names: str) -> int:
    """An integer seed for libraries that take one (scikit-learn's random_state)."""
    return int(np.random.SeedSequence(int(seed), spawn_key=[_word(n) for n in names])
               .generate_state(1)[0])
