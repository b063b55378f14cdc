"""Reverse predictivity (Muzellec & Kar): how well a region's voxels predict each network unit,
against how well the units predict the voxels (forward) and how well one subject's voxels
predict another's (the biological reference, both directions).

Per trained network, main region (FFA, EBA, PPA) and subject, on the shared images (every
repetition present), k-fold over images (``reverse_predictivity.folds``; the same folds for
every direction of a subject), kernel ridge with a LOO-chosen alpha per target, EV normalised
by the reliability of both predictor and target in every direction
(analysis.stats.predictivity); a system's EV in a subject is the ratio EV over its targets
(``ratio_ev``), the median of the per-target EVs reported beside it. Targets: the category's
selective units and the layer's other units (a random sample of up to ``units_sample`` of
each). Common / unique units
(``common_rule``): ``percentile`` (the paper's) — per subject and model, common when the
unit's reverse EV is above the (1 − ``common_quantile``) percentile of the sampled units'
reverse EV, unique below the ``common_quantile`` percentile; ``subject_reference`` — common
when it reaches the subject's reference (the ratio EV of its voxels predicted from another
subject, averaged over the other subjects), else unique. The share of common (unique) units
is compared between selective and other units (subjects as the unit of inference), and the
Spearman correlation over subjects of the common share of selective units with the subjects'
median voxel reliability is reported with the share's range (near 0 for a rule that does not
depend on the subject's noise level; measurement noise still pulls a noisy subject's selective
share towards the base rate, and units without a measurable reliability are neither common
nor unique). Controls:
the noise-free simulated subject's voxels as the "units" (positive: forward − reverse must be
equivalent to 0 within ``equivalence_margin``, judged by its ``comparison.equivalence_level``
t-interval over subjects as the comparison's controls are) and the network with its images
shuffled (negative; EV near 0). Writes results/reverse_predictivity/ (subjects.csv,
pairs.csv, units.csv, summary.json).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, control_brain, selected, unit_store
from analysis.nets.extraction import resolve_device
from analysis.report.format import number, p_value
from analysis.responses import Responses
from analysis.selection import above
from analysis.stats.controls import POSITIVE, aligned, verdict
from analysis.stats.predictivity import (
    common_unique,
    folds,
    predictivity,
    ratio_ev,
    target_reliability,
)


def _complete(r: Responses) -> np.ndarray:
    """(n_stimuli,) bool: every repetition of every voxel present."""
    return ~np.isnan(r.data).any(axis=(1, 2))


#: Columns of subjects.csv and units.csv (kept when a threshold leaves no row).
SUBJECT_COLUMNS = ["model", "variant", "region", "category", "subject", "forward_ev",
                   "reverse_ev", "forward_ev_median", "reverse_ev_median", "reference_ev",
                   "target_reliability_median",
                   "n_units", "n_selective", "common_share_all", "common_share_selective",
                   "common_share_other", "unique_share_all", "unique_share_selective",
                   "unique_share_other"]
UNIT_COLUMNS = ["model", "region", "category", "unit", "selective", "reverse_ev_mean",
                "common_subjects", "unique_subjects"]


def _classify(rev: np.ndarray, reference: float, rp: config.ReversePredictivity
              ) -> tuple[np.ndarray, np.ndarray]:
    """(common, unique) flags (u,) of units with reverse EV ``rev`` in one subject under
    ``rp.common_rule`` (module docstring)."""
    if rp.common_rule == "percentile":
        return common_unique(rev, rp.common_quantile)
    common = rev >= reference
    return common, np.isfinite(rev) & ~common


def _shares(flag: np.ndarray, is_sel: np.ndarray, name: str) -> dict[str, float]:
    """The share of flagged units among all, selective and other units (NaN for none)."""
    return {f"{name}_share_all": float(flag.mean()),
            f"{name}_share_selective": float(flag[is_sel].mean()) if is_sel.any() else np.nan,
            f"{name}_share_other": float(flag[~is_sel].mean()) if (~is_sel).any() else np.nan}


def _units(params: config.Params, model: str, category: str, stimuli: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(all units (n_shared, U) on ``stimuli``, target unit positions, their selective flag):
    a random sample of up to ``units_sample`` selective units and as many other units."""
    entry = params.zoo[model]
    layer = params.layer(model, category)
    r = activation_store.layer_responses(model, paths.NSD_SHARED_SET, layer,
                                         entry.preprocessing)
    acts = aligned(r, stimuli).mean()
    sel = above(unit_store.t_values(model, layer, "floc", category),
                params.unit_threshold(entry.trained))
    live = acts.std(axis=0) > 0
    rng = seeds.stream(params.reverse_predictivity.seed, "units", model, category)
    k = params.reverse_predictivity.units_sample
    picked = [np.sort(rng.choice(group, min(len(group), k), replace=False))
              for group in (np.flatnonzero(live & sel), np.flatnonzero(live & ~sel))]
    targets = np.concatenate(picked)
    return acts, targets, sel[targets]


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    rp = params.reverse_predictivity
    alphas = params.encoding.relative_alphas
    floor = params.reverse_predictivity.min_reliability
    device = str(resolve_device(params.extraction.device))
    subj_rows, pair_rows, unit_rows, excluded = [], [], [], []
    for category in params.categories:
        region = params.main_region(category)
        if region is None:
            continue
        brains = selected.voxels(params, region)
        brains = [b for b in brains if b.n_channels >= 2]
        if len(brains) < 2:  # no subject-to-subject reference
            excluded.append({"region": region, "reason": f"fewer than 2 subjects have >= 2 "
                             f"selected voxels at threshold {params.threshold}"})
            continue
        ok = np.logical_and.reduce([_complete(b) for b in brains])
        brains = [Responses(b.data[ok], b.stimuli[ok], b.channels, b.system) for b in brains]
        stim = brains[0].stimuli
        test = {b.system.subject: folds(len(stim), rp.folds,
                                        seeds.stream(rp.seed, "folds", region,
                                                     str(b.system.subject)))
                for b in brains}
        # the biological reference: subject -> subject, both directions (ordered pairs); one
        # multi-target fit per predictor subject, every other subject's voxels as targets, on
        # the folds of the predictor subject (each direction of a pair is a separate fit)
        ref: dict[int, list[float]] = {b.system.subject: [] for b in brains}
        for a in tqdm(brains, desc=f"reverse {region}: subject pairs", leave=False):
            others = [b for b in brains if b is not a]
            table = predictivity(a.data, np.concatenate([b.data for b in others], axis=1),
                                 test[a.system.subject], alphas, floor, device)
            edges = np.cumsum([0] + [b.n_channels for b in others])
            for b, lo, hi in zip(others, edges[:-1], edges[1:]):
                part = table.iloc[lo:hi]
                ev = ratio_ev(part)
                ref[b.system.subject].append(ev)
                pair_rows.append({"region": region, "predictor": a.system.subject,
                                  "target": b.system.subject, "ev": ev,
                                  "ev_median": _median(part["ev"].to_numpy())})
        reference = {s: float(np.nanmean(v)) for s, v in ref.items()}
        reliability = {b.system.subject: float(np.nanmedian(target_reliability(b.data)))
                       for b in brains}
        systems = {m: _units(params, m, category, stim) for m in params.trained_models()}
        ctrl = control_brain.responses(region, params.roi_definitions[region].contrast,
                                       params.threshold)
        ctrl = aligned(ctrl, stim) if ctrl is not None else None
        if ctrl is not None:
            acts = ctrl.mean()
            systems[control_brain.POSITIVE] = (acts, np.flatnonzero(acts.std(0) > 0),
                                               np.zeros(int((acts.std(0) > 0).sum()), bool))
        for model, (acts, targets, is_sel) in systems.items():
            variants = {model: acts}
            if model != control_brain.POSITIVE:  # the negative control: images shuffled
                perm = seeds.stream(rp.seed, "negative-control", model, region).permutation(
                    len(stim))
                variants["shuffled_images"] = acts[perm]
            for name, x in variants.items():
                evs, flags = [], []
                for b in tqdm(brains, desc=f"reverse {region}: {name}", leave=False):
                    s = b.system.subject
                    rev_table = predictivity(b.data, x[:, targets, None], test[s], alphas,
                                             floor, device)
                    rev = rev_table["ev"].to_numpy()
                    # forward only for the real system (the negative control tests reverse)
                    fwd = (predictivity(x[:, :, None], b.data, test[s], alphas, floor, device)
                           if name == model else None)
                    common, unique = _classify(rev, reference[s], rp)
                    evs.append(rev)
                    flags.append((common, unique))
                    subj_rows.append({
                        "model": model, "variant": name, "region": region,
                        "category": category, "subject": s,
                        "forward_ev": ratio_ev(fwd) if fwd is not None else np.nan,
                        "reverse_ev": ratio_ev(rev_table),
                        "forward_ev_median": (_median(fwd["ev"].to_numpy())
                                              if fwd is not None else np.nan),
                        "reverse_ev_median": _median(rev),
                        "reference_ev": reference[s],
                        "target_reliability_median": reliability[s],
                        "n_units": len(targets), "n_selective": int(is_sel.sum())}
                        | _shares(common, is_sel, "common") | _shares(unique, is_sel, "unique"))
                if name == model:
                    unit_rows.append(pd.DataFrame({
                        "model": model, "region": region, "category": category,
                        "unit": targets, "selective": is_sel,
                        "reverse_ev_mean": np.vstack(evs).mean(0).round(6),
                        "common_subjects": np.sum([c for c, _ in flags], axis=0),
                        "unique_subjects": np.sum([u for _, u in flags], axis=0)}))
    subjects = pd.DataFrame(subj_rows, columns=SUBJECT_COLUMNS)
    pairs = pd.DataFrame(pair_rows, columns=["region", "predictor", "target", "ev", "ev_median"])
    units = (pd.concat(unit_rows, ignore_index=True) if unit_rows
             else pd.DataFrame(columns=UNIT_COLUMNS))
    with atomic_path(paths.REVERSE) as tmp:
        tmp.mkdir()
        write_csv(subjects, tmp / "subjects.csv")
        write_csv(pairs, tmp / "pairs.csv")
        write_csv(units, tmp / "units.csv")
        write_csv(pd.DataFrame(excluded, columns=["region", "reason"]), tmp / "excluded.csv")
        write_json(summary(subjects, pairs, params) | {"excluded": len(excluded)},
                   tmp / "summary.json")


def _median(ev: np.ndarray) -> float:
    """The median of the finite per-target EVs (NaN for none)."""
    return float(np.nanmedian(ev)) if np.isfinite(ev).any() else float("nan")


def _ttest(x: np.ndarray) -> dict[str, object]:
    x = x[np.isfinite(x)]
    if len(x) < 2 or np.all(x == x[0]):
        return {"mean": number(float(np.mean(x))) if len(x) else None, "t": None, "p": None,
                "n": len(x)}
    t = stats.ttest_1samp(x, 0.0)
    return {"mean": number(float(np.mean(x))), "t": number(float(t.statistic)),
            "p": p_value(float(t.pvalue)), "n": len(x)}


def _equivalence(x: np.ndarray, margin: float, level: float) -> dict[str, object]:
    """The positive control's forward − reverse (x: one value per subject) judged by its
    ``level`` t-interval over subjects against ± ``margin`` (analysis.stats.controls.verdict:
    two one-sided tests at (1 − level) / 2)."""
    x = x[np.isfinite(x)]
    if len(x) >= 2 and np.std(x) > 0:
        low, high = stats.t.interval(level, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    else:
        low = high = np.nan
    return {"mean_abs": number(float(abs(np.mean(x)))) if len(x) else None,
            "ci_low": number(float(low)) if np.isfinite(low) else None,
            "ci_high": number(float(high)) if np.isfinite(high) else None,
            "level": level, "margin": margin, "verdict": verdict(POSITIVE, low, high, margin)}


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman rho over subjects of two (n,) arrays (None for fewer than 3 finite pairs or a
    constant one)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return None
    return number(float(stats.spearmanr(x[ok], y[ok]).statistic))


def summary(subjects: pd.DataFrame, pairs: pd.DataFrame, params: config.Params) -> dict:
    """Per model (and the controls) and region: mean over subjects of forward and reverse EV
    (each subject's ratio EV over its targets, and the median of its per-target EVs), the
    asymmetry forward − reverse of the ratio EVs (t-test over subjects; for the positive
    control also its equivalence verdict), the subject-to-subject reference in both
    directions, the shares of common and unique units among selective and other units (the
    common difference tested over subjects) and the Spearman correlation over subjects of the
    common share of selective units (all units when there are none) with the subjects'
    median voxel reliability, with that share's range over subjects (how much there is to
    correlate: the share of all units is fixed by the percentile rule)."""
    rp = params.reverse_predictivity
    out: dict = {"models": params.trained_models(), "folds": rp.folds,
                 "units_sample": rp.units_sample, "common_rule": rp.common_rule,
                 "common_quantile": rp.common_quantile, "by_model": {}, "reference": {}}
    for region, g in pairs.groupby("region", sort=False):
        sym = g.merge(g, left_on=["predictor", "target"], right_on=["target", "predictor"],
                      suffixes=("", "_back"))
        out["reference"][region] = {
            "ev_mean": number(float(g["ev"].mean())),
            "ev_median_mean": number(float(g["ev_median"].mean())),
            "direction_difference_mean_abs": number(float(
                (sym["ev"] - sym["ev_back"]).abs().mean())),
            "n_pairs": len(g)}
    for (model, variant, region), g in subjects.groupby(["model", "variant", "region"],
                                                        sort=False):
        key = model if variant == model else f"{model}/{variant}"
        asym = (g["forward_ev"] - g["reverse_ev"]).to_numpy()
        share = g["common_share_selective" if g["n_selective"].iloc[0] else "common_share_all"]
        entry = out["by_model"].setdefault(key, {})[region] = {
            "forward_ev": number(float(g["forward_ev"].mean())),
            "reverse_ev": number(float(g["reverse_ev"].mean())),
            "forward_ev_median": number(float(g["forward_ev_median"].mean())),
            "reverse_ev_median": number(float(g["reverse_ev_median"].mean())),
            "reference_ev": number(float(g["reference_ev"].mean())),
            "asymmetry": _ttest(asym),
            "common_share_all": number(float(g["common_share_all"].mean())),
            "common_share_selective": number(float(g["common_share_selective"].mean())),
            "common_share_other": number(float(g["common_share_other"].mean())),
            "unique_share_selective": number(float(g["unique_share_selective"].mean())),
            "unique_share_other": number(float(g["unique_share_other"].mean())),
            "selective_minus_other": _ttest((g["common_share_selective"] -
                                             g["common_share_other"]).to_numpy()),
            "common_share_vs_reliability_spearman": _spearman(
                share.to_numpy(float), g["target_reliability_median"].to_numpy(float)),
            "common_share_range": [number(float(share.min())), number(float(share.max()))],
            "n_units": int(g["n_units"].iloc[0]), "n_selective": int(g["n_selective"].iloc[0])}
        if model == POSITIVE:
            entry["equivalence"] = _equivalence(asym, rp.equivalence_margin,
                                                params.comparison.equivalence_level)
    return out
