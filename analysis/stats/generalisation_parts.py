"""A brain-network difference found on a discovery part of the data and tested on held-out
parts (Finding 5's generalisation).

The data have three factors: subjects, images and (trained) models. The discovery part is the
discovery subjects x the discovery images x a discovery model; on it every candidate label
pair's brain-model difference is computed (:func:`analysis.stats.divergence.crossed_difference`)
and the pair with the smallest p is the hypothesis *found*, its sign the sign of its estimate.
A held-out part *replicates* it when its difference has the same sign and p < alpha.

Which parts can replicate by chance. The selection picks the pair whose discovery estimate is
most extreme, and that estimate is the sum of effects of the subjects (each subject's own
contrast), of the images (each image's brain-minus-network response: the brain's image-specific
signal and the network's) and of their interaction. A part that reuses the discovery images
inherits the images' effects (with another model still the brain's side of them); one that
reuses the discovery subjects inherits their own contrasts. Such a part "replicates" a
difference that is zero in the population more often than the nominal alpha / 2 (same sign,
two-sided p < alpha). In the realistic null worlds of analysis/validation/divergence.py
(``labelled_world``; 1000 worlds per seed set, alpha 0.05; the validation stage reports its own
run) the found hypothesis replicated in 10-12 % of worlds on held-out subjects with the
discovery images and model and 8-10 % with another model on the discovery subjects and images
(asserted in tests/test_divergence.py), against 1.4-2.9 % on the held-out subjects and images
with the discovery model or another one (asserted <= 3 %); on
held-out images with the discovery subjects 2.8 %, 4.1 % when each subject's own contrast has
SD 1 instead of 0.2 (measured once with the same worlds). Only parts new in both subjects and
images are held out here (:data:`PARTS`): the discovery model and every held-out trained model,
each on the held-out subjects and images. A model is a fixed factor: another model on new
subjects and images asks whether the difference holds for another network.

Arrays: a brain is a sequence of per-subject profiles over all images
(:class:`analysis.stats.divergence.Profile`); masks over images are (n_images,) bool; a subject
mask is (n_subjects,) bool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.stats import divergence as dv

Pair = tuple[str, str]
#: Label pair -> (images of label A, images of label B), (n_images,) bool each.
Candidates = Mapping[Pair, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Part:
    """A held-out part: the held-out subjects on the held-out images, with the discovery model
    (``held_out_models`` False) or with each trained model outside the discovery set."""

    name: str
    held_out_models: bool


#: The held-out parts, in the order of the tables and figures.
PARTS: tuple[Part, ...] = (Part("held-out subjects and images", False),
                           Part("held-out models, subjects and images", True))


def part_test(brain: Sequence[dv.Profile], network: dv.Profile, images: np.ndarray,
              a: np.ndarray, b: np.ndarray, level: float) -> dict[str, float]:
    """The brain-model difference of groups A minus B on the images ``images`` (bool mask),
    every profile standardized on those images; subjects and images crossed. Counts only when
    a group has fewer than 2 images there."""
    a, b = a[images], b[images]
    out: dict[str, float] = {"n_subjects": len(brain), "n_images": int(images.sum()),
                             "n_a": int(a.sum()), "n_b": int(b.sum())}
    if a.sum() < 2 or b.sum() < 2:
        return out
    z = np.vstack([p.z(images)[images] for p in brain])
    net = network.z(images)[images]
    return {**out, "brain_contrast": float(dv.contrast(z, a, b).mean()),
            "model_contrast": float(dv.contrast(net, a, b)),
            **{f"difference_{k}": v
               for k, v in dv.crossed_difference(z, net, a, b, level).as_dict().items()}}


def discover(brain: Sequence[dv.Profile], network: dv.Profile, images: np.ndarray,
             candidates: Candidates, level: float) -> list[dict]:
    """Every candidate pair's difference on the discovery part (``brain``: the discovery
    subjects; ``images``: the discovery images); the row with the smallest finite p has
    hypothesis 'found', the others 'candidate'."""
    rows: list[dict[str, Any]] = [
        {"hypothesis": "candidate", "label_a": pair[0], "label_b": pair[1],
         **part_test(brain, network, images, a, b, level)}
        for pair, (a, b) in candidates.items()]
    tested = [r for r in rows if np.isfinite(r.get("difference_p", np.nan))]
    if tested:
        min(tested, key=lambda r: r["difference_p"])["hypothesis"] = "found"
    return rows


def replicates(row: Mapping, alpha: float) -> bool:
    """Whether a held-out row replicates its hypothesis: same sign as on discovery, p < alpha."""
    return bool(row.get("same_sign", False)) and row.get("difference_p", np.nan) < alpha


def generalise(brain: Sequence[dv.Profile], networks: Mapping[str, dv.Profile],
               discovery_subjects: np.ndarray, discovery_images: np.ndarray, model: str,
               held_out_models: Sequence[str], candidates: Candidates, prespecified: Pair,
               level: float) -> list[dict]:
    """The discovery rows of ``model`` (:func:`discover`) and, for the pre-specified pair and
    the pair found, one row per held-out part and model (:data:`PARTS`), with ``same_sign``
    (the sign of the discovery estimate). ``brain`` (n_subjects profiles) and
    ``discovery_subjects`` (n_subjects,) bool; ``networks`` holds ``model`` and every name in
    ``held_out_models``; ``candidates`` includes ``prespecified``. A part without held-out
    subjects is skipped; the held-out models' part without any model gives one row with a
    note."""
    disc_brain = [p for p, d in zip(brain, discovery_subjects, strict=True) if d]
    held_brain = [p for p, d in zip(brain, discovery_subjects, strict=True) if not d]
    rows = [{"part": "discovery", "model": model, **r}
            for r in discover(disc_brain, networks[model], discovery_images, candidates, level)]
    hypotheses = {"pre-specified": prespecified}
    found = [(r["label_a"], r["label_b"]) for r in rows if r["hypothesis"] == "found"]
    if found:
        hypotheses["found"] = found[-1]
    sign = {h: np.sign(next((r["difference_estimate"] for r in rows
                             if (r["label_a"], r["label_b"]) == pair
                             and "difference_estimate" in r), np.nan))
            for h, pair in hypotheses.items()}
    held_images = ~np.asarray(discovery_images)
    for part in PARTS:
        models = list(held_out_models) if part.held_out_models else [model]
        if part.held_out_models and not models:
            rows.append({"part": part.name, "model": None, "discovery_model": model,
                         "hypothesis": "pre-specified",
                         "note": "no trained model outside the discovery models "
                                 "(params: models, divergence.discovery_models)"})
        if not held_brain:
            continue
        for m in models:
            for h, pair in hypotheses.items():
                row: dict[str, Any] = {
                    "part": part.name, "model": m, "discovery_model": model,
                    "hypothesis": h, "label_a": pair[0], "label_b": pair[1],
                    **part_test(held_brain, networks[m], held_images, *candidates[pair], level)}
                row["same_sign"] = bool(np.sign(row.get("difference_estimate", np.nan))
                                        == sign[h])
                rows.append(row)
    return rows


def discovery_enrichment(brain: Sequence[dv.Profile], network: dv.Profile,
                         images: np.ndarray, candidates: Candidates, cutoff: float
                         ) -> list[dict]:
    """On the discovery part (``brain``: the discovery subjects; ``images``), the subject
    average regressed on the network and each candidate pair's enrichment among the residuals
    and the divergent images (:func:`analysis.stats.divergence.pair_enrichment`)."""
    average = dv.zscore(np.vstack([p.z(images)[images] for p in brain]).mean(axis=0))
    res = dv.residuals(average, network.z(images)[images])
    flags = res.divergent(cutoff)
    return [{"label_a": pair[0], "label_b": pair[1],
             **dv.pair_enrichment(res.standardized, flags, a[images], b[images])}
            for pair, (a, b) in candidates.items()]
