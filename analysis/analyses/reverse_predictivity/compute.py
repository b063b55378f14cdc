"""Reverse predictivity of one region: the subject-to-subject reference and, per system, the
forward and reverse EVs and the common / unique units (pure: arrays in, tables out).

Per subject, on the shared images (every repetition present), k-fold over images (the same
folds for every direction of a subject), kernel ridge with a LOO-chosen alpha per target, EV
normalised by the reliability of both predictor and target in every direction
(analysis.methods.predictivity); a system's EV in a subject is the ratio EV over its targets
(``ratio_ev``), the median of the per-target EVs beside it. Common / unique units
(``common_rule``): ``percentile`` (the paper's): common when the unit's reverse EV is above
the (1 − ``common_quantile``) percentile of the sampled units' reverse EV, unique below the
``common_quantile`` percentile; ``subject_reference``: common when it reaches the subject's
reference (the ratio EV of its voxels predicted from another subject, averaged over the
other subjects), else unique.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis import seeds
from analysis.analyses.reverse_predictivity.params import ReversePredictivity
from analysis.methods.predictivity import (
    common_unique,
    folds,
    predictivity,
    ratio_ev,
    target_reliability,
)
from analysis.responses import Responses, as_brain

#: Columns of subjects.csv and units.csv (kept when a threshold leaves no row).
SUBJECT_COLUMNS = ["model", "variant", "region", "category", "subject", "forward_ev",
                   "reverse_ev", "forward_ev_median", "reverse_ev_median", "reference_ev",
                   "target_reliability_median",
                   "n_units", "n_selective", "common_share_all", "common_share_selective",
                   "common_share_other", "unique_share_all", "unique_share_selective",
                   "unique_share_other"]
UNIT_COLUMNS = ["model", "region", "category", "unit", "selective", "reverse_ev_mean",
                "common_subjects", "unique_subjects"]
PAIR_COLUMNS = ["region", "predictor", "target", "ev", "ev_median"]


@dataclass(frozen=True)
class Targets:
    """A system's responses to the region's images and the units predicted from voxels.

    responses: (n_images, n_units) mean responses; targets: (t,) positions of the target
    units; selective: (t,) whether each target is a selective unit; control: a control system
    (no images-shuffled variant: it is the positive control itself)."""

    responses: np.ndarray
    targets: np.ndarray
    selective: np.ndarray
    control: bool = False


@dataclass(frozen=True)
class Fit:
    """The ridge fits' settings: relative alphas, the reliability floor, the torch device."""

    alphas: list[float]
    floor: float
    device: str


@dataclass
class Tables:
    """The region's rows of subjects.csv, pairs.csv and units.csv."""

    subjects: list[dict]
    pairs: list[dict]
    units: list[pd.DataFrame]


def complete(r: Responses) -> np.ndarray:
    """(n_stimuli,) bool: every repetition of every voxel present."""
    return ~np.isnan(r.data).any(axis=(1, 2))


def median(ev: np.ndarray) -> float:
    """The median of the finite per-target EVs (NaN for none)."""
    return float(np.nanmedian(ev)) if np.isfinite(ev).any() else float("nan")


def classify(rev: np.ndarray, reference: float, rp: ReversePredictivity
             ) -> tuple[np.ndarray, np.ndarray]:
    """(common, unique) flags (u,) of units with reverse EV ``rev`` in one subject under
    ``rp.common_rule`` (module docstring)."""
    if rp.common_rule == "percentile":
        return common_unique(rev, rp.common_quantile)
    common = rev >= reference
    return common, np.isfinite(rev) & ~common


def shares(flag: np.ndarray, is_sel: np.ndarray, name: str) -> dict[str, float]:
    """The share of flagged units among all, selective and other units (NaN for none)."""
    return {f"{name}_share_all": float(flag.mean()),
            f"{name}_share_selective": float(flag[is_sel].mean()) if is_sel.any() else np.nan,
            f"{name}_share_other": float(flag[~is_sel].mean()) if (~is_sel).any() else np.nan}


def aligned_brains(brains: list[Responses]) -> list[Responses]:
    """The subjects' responses on the images every subject saw with every repetition."""
    ok = np.logical_and.reduce([complete(b) for b in brains])
    return [Responses(b.data[ok], b.stimuli[ok], b.channels, b.system) for b in brains]


def reference(region: str, brains: list[Responses], test: dict[int | str, list[np.ndarray]],
              fit: Fit) -> tuple[dict[int | str, float], list[dict]]:
    """The biological reference: subject -> subject, both directions (ordered pairs); one
    multi-target fit per predictor subject, every other subject's voxels as targets, on the
    folds of the predictor subject. Returns (subject -> mean ratio EV of its voxels predicted
    from the others, the pairs.csv rows)."""
    ref: dict[int | str, list[float]] = {as_brain(b.system).subject: [] for b in brains}
    rows = []
    for a in tqdm(brains, desc=f"reverse {region}: subject pairs", leave=False):
        others = [b for b in brains if b is not a]
        table = predictivity(a.data, np.concatenate([b.data for b in others], axis=1),
                             test[as_brain(a.system).subject], fit.alphas, fit.floor, fit.device)
        edges = np.cumsum([0] + [b.n_channels for b in others])
        for b, lo, hi in zip(others, edges[:-1], edges[1:], strict=True):
            part = table.iloc[lo:hi]
            ev = ratio_ev(part)
            ref[as_brain(b.system).subject].append(ev)
            rows.append({"region": region, "predictor": as_brain(a.system).subject,
                         "target": as_brain(b.system).subject, "ev": ev,
                         "ev_median": median(part["ev"].to_numpy())})
    return {s: float(np.nanmean(v)) for s, v in ref.items()}, rows


def region_tables(region: str, category: str, brains: list[Responses],
                  systems: dict[str, Targets], rp: ReversePredictivity, fit: Fit) -> Tables:
    """Every direction of one region. brains: the subjects' aligned responses (n_images,
    n_voxels, n_reps), at least 2 subjects; systems: name -> its targets (module docstring).
    Each network is also run with its images shuffled (the negative control, reverse only)."""
    stim = brains[0].stimuli
    test = {as_brain(b.system).subject: folds(len(stim), rp.folds,
                                    seeds.stream(rp.seed, "folds", region,
                                                 str(as_brain(b.system).subject)))
            for b in brains}
    ref, pair_rows = reference(region, brains, test, fit)
    reliability = {as_brain(b.system).subject: float(np.nanmedian(target_reliability(b.data)))
                   for b in brains}
    out = Tables([], pair_rows, [])
    for model, t in systems.items():
        variants = {model: t.responses}
        if not t.control:  # the negative control: images shuffled
            perm = seeds.stream(rp.seed, "negative-control", model, region).permutation(
                len(stim))
            variants["shuffled_images"] = t.responses[perm]
        for name, x in variants.items():
            evs, flags = [], []
            for b in tqdm(brains, desc=f"reverse {region}: {name}", leave=False):
                s = as_brain(b.system).subject
                rev_table = predictivity(b.data, x[:, t.targets, None], test[s], fit.alphas,
                                         fit.floor, fit.device)
                rev = rev_table["ev"].to_numpy()
                # forward only for the real system (the negative control tests reverse)
                fwd = (predictivity(x[:, :, None], b.data, test[s], fit.alphas, fit.floor,
                                    fit.device) if name == model else None)
                common, unique = classify(rev, ref[s], rp)
                evs.append(rev)
                flags.append((common, unique))
                out.subjects.append({
                    "model": model, "variant": name, "region": region,
                    "category": category, "subject": s,
                    "forward_ev": ratio_ev(fwd) if fwd is not None else np.nan,
                    "reverse_ev": ratio_ev(rev_table),
                    "forward_ev_median": (median(fwd["ev"].to_numpy())
                                          if fwd is not None else np.nan),
                    "reverse_ev_median": median(rev),
                    "reference_ev": ref[s],
                    "target_reliability_median": reliability[s],
                    "n_units": len(t.targets), "n_selective": int(t.selective.sum())}
                    | shares(common, t.selective, "common")
                    | shares(unique, t.selective, "unique"))
            if name == model:
                out.units.append(pd.DataFrame({
                    "model": model, "region": region, "category": category,
                    "unit": t.targets, "selective": t.selective,
                    "reverse_ev_mean": np.vstack(evs).mean(0).round(6),
                    "common_subjects": np.sum([c for c, _ in flags], axis=0),
                    "unique_subjects": np.sum([u for _, u in flags], axis=0)}))
    return out
