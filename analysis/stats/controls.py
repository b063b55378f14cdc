"""Controls of the human-human vs human-network comparison, run like a network.

Positive: a noise-free simulated subject (a brain that should match) presented as a network;
HH - HN must be about 0 (its interval includes 0). Negative: the same system with its images
shuffled, which breaks every image-level correspondence; HN must be about 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.responses import NetworkId, Responses
from analysis.stats.comparison import Method, bootstrap_gap, similarities
from analysis.stats.region_comparison import summarise

NEGATIVE = "negative_control"


def shuffled(r: Responses, rng: np.random.Generator) -> Responses:
    """The negative control: ``r`` with its rows (images) permuted, relabelled NEGATIVE."""
    sys = r.system
    order = rng.permutation(r.n_stimuli)
    return Responses(r.data[order], r.stimuli, r.channels,
                     NetworkId(NEGATIVE, sys.layer, sys.trained, sys.selection))


def aligned(control: Responses, stimuli: np.ndarray) -> Responses | None:
    """``control`` on the brains' images, in their order; None if it lacks one of them."""
    pos = {s: k for k, s in enumerate(control.stimuli.tolist())}
    if not all(s in pos for s in stimuli.tolist()):
        return None
    rows = np.array([pos[s] for s in stimuli.tolist()], dtype=np.int64)
    return Responses(control.data[rows], np.asarray(stimuli), control.channels, control.system)


def control_comparison(brains: list[Responses], positive: Responses, n_boot: int,
                       ci_level: float, method: Method,
                       boot_rng: np.random.Generator, shuffle_rng: np.random.Generator
                       ) -> pd.DataFrame:
    """HH, HN, gap, bootstrap interval and p of the positive and negative controls against
    the brains (the main comparison's statistics), one row per control and measure."""
    negative = shuffled(positive, shuffle_rng)
    systems = [positive, negative]
    n_img = brains[0].n_stimuli
    sim = similarities(brains, systems, np.arange(n_img), method)
    boot = bootstrap_gap(brains, systems, n_img, n_boot, boot_rng, method)
    groups = {s.system.model: (s.system.model,) for s in systems}
    rows = summarise(sim, groups, boot, ci_level)
    return pd.DataFrame(rows).rename(columns={"networks": "control"}).drop(columns="n_models")
