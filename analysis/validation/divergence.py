"""Finding 5's diagnostic tests (:mod:`analysis.stats.divergence`) and their generalisation to
held-out parts (:mod:`analysis.stats.generalisation_parts`) on simulated worlds (the validation
stage and tests/test_divergence.py).

* :func:`labelled_world` — subjects and two trained networks on images with the annotations'
  three label pairs; each pair's contrast is shared by brain and networks, plus a brain-only
  difference (0: the null).
* :func:`world_tests` — one world: the hypothesis found on the discovery part and its test on
  every held-out part, and on two parts that reuse discovery data (not run by the pipeline,
  here to show why); on all subjects and images, the first pair's brain-network difference
  (:data:`TESTED_PAIR`) by the crossed test (subjects and images random) and by a test over
  subjects alone (images fixed).
* :func:`divergence_worlds` — :func:`world_tests` over many worlds, one row each;
  :func:`validation_table` — the validation stage's worlds (named streams);
  :func:`replication_rates`, :func:`planted_rates` and :func:`summary` — the rates the
  manuscript reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis.seeds import stream
from analysis.stats import divergence as dv
from analysis.stats import generalisation_parts as gp

LABELS = ("human_face", "animal_face", "exposed_limbs", "covered_body", "scene_with_people",
          "scene_without_people")
PAIRS = ((LABELS[0], LABELS[1]), (LABELS[2], LABELS[3]), (LABELS[4], LABELS[5]))
#: The pair whose brain-network difference is tested on all subjects and images (human minus
#: animal faces: a contrast that brain and networks share, 0.5 raw units by default).
TESTED_PAIR = PAIRS[0]
#: Subjects of a world, and those of its discovery part (the first four, as params'
#: discovery_subjects).
N_SUBJECTS = 8
DISCOVERY_SUBJECTS = 4
#: Column key of every part a found hypothesis is tested on: the pipeline's held-out parts
#: (:data:`analysis.stats.generalisation_parts.PARTS`) and two that reuse discovery data: the
#: held-out subjects on the discovery images with the discovery network, and the held-out
#: network on the discovery subjects and images.
PART_KEYS = {gp.PARTS[0].name: "held_out", gp.PARTS[1].name: "held_out_models",
             "held-out subjects, discovery images": "same_images",
             "held-out model, discovery subjects and images": "same_subjects_images"}


#: Images per label and unlabelled images of a world.
PER_LABEL = 10
N_OTHER = 36


def labelled_world(rng: np.random.Generator, difference: tuple[float, ...] = (0.0, 0.0, 0.0),
                   n_subjects: int = N_SUBJECTS, per_label: int = PER_LABEL,
                   n_other: int = N_OTHER,
                   contrasts: tuple[float, ...] = (0.5, 0.0, 0.3), slope_sd: float = 0.2,
                   rho: float = 0.6, model_rho: float = 0.7, noise: float = 1.5,
                   voxels: int = 20, reps: int = 3
                   ) -> tuple[list[dv.Profile], dict[str, dv.Profile],
                              dict[tuple[str, str], tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Subjects and two trained networks, "discovery" and "held-out", on images with the three
    label pairs of the annotations (:data:`PAIRS`, ``per_label`` images per label) and
    ``n_other`` unlabelled images.

    Each pair has a contrast (``contrasts``, raw units) shared by the brain and both networks,
    plus ``difference`` in the brain only (0: no brain-model difference, the null). Images
    differ in signal strength (log-normal); each subject has its own slope on every pair (SD
    ``slope_sd``) and a signal of its own per image (SD 0.3); trial noise (SD ``noise``) is
    correlated over ``voxels`` voxels, ``reps`` repetitions. The networks share a part ``rho``
    of the images' signal and an image-specific part of their own, correlated ``model_rho``
    between the two networks (related architectures). Returns the subjects' profiles, the
    networks' profiles, the candidate pairs ({pair: (mask A, mask B)}, (n_images,) bool each)
    and a random half of the images (the discovery images, (n_images,) bool)."""
    n = per_label * len(LABELS) + n_other
    label = np.repeat(np.arange(len(LABELS) + 1), [per_label] * len(LABELS) + [n_other])
    masks = {name: label == k for k, name in enumerate(LABELS)}
    groups = [np.where(masks[a], 0.5, np.where(masks[b], -0.5, 0.0)) for a, b in PAIRS]
    common = rng.normal(size=n) * rng.lognormal(0.0, 0.5, n)
    own_sd = np.sqrt((1 - rho**2) * np.exp(0.5))  # E[strength^2] = e^0.5
    shared_own = rng.normal(size=n)
    networks = {}
    for name in ("discovery", "held-out"):
        own = np.sqrt(model_rho) * shared_own + np.sqrt(1 - model_rho) * rng.normal(size=n)
        networks[name] = dv.Profile(sum(c * g for c, g in zip(contrasts, groups, strict=True))
                                    + rho * common + own_sd * own, np.zeros(n))
    true = common + 0.3 * rng.normal(size=(n_subjects, n)) + sum(
        (c + d + slope_sd * rng.normal(size=(n_subjects, 1))) * g
        for c, d, g in zip(contrasts, difference, groups, strict=True))
    shared = rng.normal(size=(n_subjects, n, 1, reps))
    own = rng.normal(size=(n_subjects, n, voxels, reps))
    trials = true[:, :, None, None] + noise * (0.6 * shared + 0.8 * own)
    candidates = {pair: (masks[pair[0]], masks[pair[1]]) for pair in PAIRS}
    return ([dv.brain_profile(t) for t in trials], networks, candidates,
            rng.random(n) < 0.5)


def world_tests(rng: np.random.Generator, prespecified: tuple[str, str] = PAIRS[0],
                level: float = 0.95, **world: Any) -> dict:
    """One :func:`labelled_world` (``world``: its keyword arguments): the pair found on the
    discovery part (subjects 1-4, the discovery images, the discovery network; ``found_pair``
    its index in :data:`PAIRS`, ``found_p``; -1 and NaN when no pair has two discovery images
    per label) and, per part of :data:`PART_KEYS`, the p of its brain-network difference and
    whether its sign is the discovery estimate's (``p_{key}``, ``same_sign_{key}``: 1 or 0);
    on all subjects and images the p of :data:`TESTED_PAIR`'s difference by the crossed test
    (``p_crossed``) and over subjects alone (``p_subjects``). ``prespecified``: the pipeline's
    pre-specified pair (always tested on the held-out parts); ``level``: the intervals'."""
    brain, networks, candidates, disc_img = labelled_world(rng, **world)
    disc_subj = np.arange(len(brain)) < DISCOVERY_SUBJECTS
    z = np.vstack([p.z() for p in brain])
    net = networks["discovery"].z()
    a, b = candidates[TESTED_PAIR]
    out: dict = {"found_pair": -1, "found_p": np.nan,
                 **{f"{c}_{k}": np.nan for k in PART_KEYS.values() for c in ("p", "same_sign")},
                 "p_crossed": dv.crossed_difference(z, net, a, b, level).p,
                 "p_subjects": dv.subjects_test(dv.contrast(z, a, b) - dv.contrast(net, a, b),
                                                level).p}
    rows = gp.generalise(brain, networks, disc_subj, disc_img, "discovery", ["held-out"],
                         candidates, prespecified, level)
    found = next((r for r in rows if r["part"] == "discovery" and r["hypothesis"] == "found"),
                 None)
    if found is None:
        return out
    pair = (found["label_a"], found["label_b"])
    out.update(found_pair=PAIRS.index(pair), found_p=found["difference_p"])
    tested = {r["part"]: r for r in rows
              if r["part"] != "discovery" and r["hypothesis"] == "found"}
    reused = {"held-out subjects, discovery images": (brain[DISCOVERY_SUBJECTS:],
                                                      networks["discovery"], disc_img),
              "held-out model, discovery subjects and images": (
                  brain[:DISCOVERY_SUBJECTS], networks["held-out"], disc_img)}
    for name, (subjects, network, images) in reused.items():
        tested[name] = gp.part_test(subjects, network, images, *candidates[pair], level)
    for name, r in tested.items():
        key = PART_KEYS[name]
        out[f"p_{key}"] = r.get("difference_p", np.nan)
        out[f"same_sign_{key}"] = float(np.sign(r.get("difference_estimate", np.nan))
                                        == np.sign(found["difference_estimate"]))
    return out


def divergence_worlds(rngs: Iterable[np.random.Generator],
                      prespecified: tuple[str, str] = PAIRS[0], level: float = 0.95,
                      **world: Any) -> pd.DataFrame:
    """:func:`world_tests` in one world per generator: one row per world (``world`` 0, 1, ...)."""
    return pd.DataFrame([{"world": w, **world_tests(rng, prespecified, level, **world)}
                         for w, rng in enumerate(rngs)])


#: The planted worlds: the brain's human - animal face contrast 2 raw units (about 1.5 signal
#: SD) above both networks', 20 images per label; another pair is the pre-specified one.
PLANTED: dict[str, Any] = {"difference": (2.0, 0.0, 0.0), "per_label": 20}
PLANTED_PAIR = 0


def validation_table(n_null: int, n_planted: int, level: float, seed: int) -> pd.DataFrame:
    """The validation stage's worlds, one named stream each: ``n_null`` null worlds then
    ``n_planted`` planted ones (:data:`PLANTED`; the pre-specified pair another one), one row
    per world (:func:`world_tests`) with ``planted``."""
    null = divergence_worlds((stream(seed, "divergence-world", str(w)) for w in range(n_null)),
                             level=level)
    planted = divergence_worlds((stream(seed, "divergence-planted-world", str(w))
                                 for w in range(n_planted)), PAIRS[1], level, **PLANTED)
    return pd.concat([null.assign(planted=False), planted.assign(planted=True)],
                     ignore_index=True)


def replication_rates(worlds: pd.DataFrame, alpha: float = 0.05) -> dict[str, float]:
    """Per part (:data:`PART_KEYS`' values), the share of the worlds with a found hypothesis in
    which it replicated there: same sign as on discovery and p < alpha."""
    w = worlds[worlds["found_pair"] >= 0]
    return {k: float(np.mean((w[f"same_sign_{k}"] == 1) & (w[f"p_{k}"] < alpha)))
            for k in PART_KEYS.values()}


def planted_rates(worlds: pd.DataFrame, alpha: float = 0.05,
                  planted_pair: int = PLANTED_PAIR) -> dict:
    """Worlds with a brain-only difference in pair ``planted_pair`` (an index of
    :data:`PAIRS`): how often it was found (that pair, p < alpha), and found and replicated on
    each of the pipeline's held-out parts."""
    found = (worlds["found_pair"] == planted_pair) & (worlds["found_p"] < alpha)
    return {"worlds": len(worlds), "found": float(found.mean()),
            "replicated": {k: float(np.mean(found & (worlds[f"same_sign_{k}"] == 1)
                                            & (worlds[f"p_{k}"] < alpha)))
                           for k in (PART_KEYS[p.name] for p in gp.PARTS)}}


def summary(worlds: pd.DataFrame, alpha: float = 0.05) -> dict:
    """The numbers the manuscript reports, as fractions (``worlds``: :func:`validation_table`).
    Null worlds: how often the found hypothesis replicated on each part, the largest rate over
    the pipeline's held-out parts, and how often the crossed test and the test over subjects
    alone called the (zero) brain-network difference of :data:`TESTED_PAIR` significant;
    planted worlds: :func:`planted_rates`."""
    null = worlds[~worlds["planted"]]
    rates = replication_rates(null, alpha)
    return {"alpha": alpha,
            "design": {"subjects": N_SUBJECTS, "discovery_subjects": DISCOVERY_SUBJECTS,
                       "per_label": PER_LABEL, "others": N_OTHER,
                       "planted_difference": PLANTED["difference"][PLANTED_PAIR],
                       "planted_per_label": PLANTED["per_label"]},
            "null": {"worlds": len(null), "worlds_found": int((null["found_pair"] >= 0).sum()),
                     "replicated": rates,
                     "held_out_max": max(rates[PART_KEYS[p.name]] for p in gp.PARTS),
                     "crossed": float(np.mean(null["p_crossed"] < alpha)),
                     "subjects_only": float(np.mean(null["p_subjects"] < alpha))},
            "planted": planted_rates(worlds[worlds["planted"]], alpha)}
