"""The HH - HN gap over selection thresholds (Figure 4): one region, one unit localizer.

Voxels and units are re-selected at every threshold from their localizer t-values with the one
selection rule (:func:`analysis.selection.above`), so the sweep at the main threshold and
the main analysis select exactly the same channels. A setting where no gap can be computed
(fewer than two subjects or no network with a profile) is reported as excluded with the reason.
Each setting's gap has the main comparison's inference (bias, bias-corrected value, interval and
p from the corrected two-factor bootstrap) with ``robustness.n_boot`` replicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.responses import RecordingId, Responses, as_network
from analysis.selection import above
from analysis.stats.comparison import (
    MEASURES,
    MIN_FEATURES,
    Method,
    group_means,
    network_groups,
    similarities,
)
from analysis.stats.region_comparison import MIN_SUBJECTS, inference, point_estimates


def select(r: Responses, t: np.ndarray, threshold: float) -> Responses:
    """The channels of ``r`` (a brain or a network) whose t exceeds ``threshold``, with the
    threshold recorded."""
    system = r.system
    if isinstance(system, RecordingId):
        raise TypeError(f"{system}: a recording has no localizer selection")
    sel = replace(system.selection, threshold=float(threshold))
    return r.take(above(t, threshold)).relabel(replace(system, selection=sel))


def exclusion(brains: list[Responses], nets: list[Responses]) -> str:
    """Why no gap can be computed from these systems ('' if it can)."""
    n_sub = sum(b.n_channels >= MIN_FEATURES for b in brains)
    n_net = sum(n.n_channels >= MIN_FEATURES for n in nets)
    reasons = []
    if n_sub < 2:
        reasons.append(f"{n_sub} subject(s) with >= {MIN_FEATURES} selected voxels (need 2)")
    if n_net == 0:
        reasons.append(f"no network with >= {MIN_FEATURES} selected units")
    return "; ".join(reasons)


def sweep(brains: list[tuple[Responses, np.ndarray]], nets: list[tuple[Responses, np.ndarray]],
          thresholds: list[float], n_img: int, n_boot: int, ci_level: float,
          rngs: Mapping[float, np.random.Generator], method: Method = Method()) -> pd.DataFrame:
    """One row per threshold, network group and measure: mean voxels/units, corrected HH, HN
    and gap, and the gap's bias-corrected value, interval and p from the comparison's
    inference (``n_boot`` replicates; ``rngs``: the random stream of each threshold).

    brains: each subject's responses of all region voxels with their localizer t; nets: each
    model's responses of all units of its layer with their t. Network groups as in the main
    comparison (comparison.network_groups: each model, trained pooled, untrained pooled).
    ``status`` is 'ok' or 'excluded', ``reason`` says why.
    """
    rows = []
    idx = np.arange(n_img)
    groups = network_groups([r.system for r, _ in nets])
    for thr in thresholds:
        b = [select(r, t, thr) for r, t in brains]
        n = [select(r, t, thr) for r, t in nets]
        hh_possible = sum(x.n_channels >= MIN_FEATURES for x in b) >= 2
        sim = similarities(b, n, idx, method) if hh_possible else None
        est = ({(r["networks"], r["measure"]): r for r in point_estimates(sim, groups)}
               if sim is not None else {})
        inferred = (inference(b, n, n_boot, ci_level, method, rngs[thr]).set_index(
            ["networks", "measure"]) if hh_possible else pd.DataFrame())
        for name, models in groups.items():
            n_g = [x for x in n if as_network(x.system).model in models]
            why = exclusion(b, n_g)
            for measure in MEASURES:
                e = est.get((name, measure), {})
                g = e.get("gap", np.nan)
                inf = (inferred.loc[(name, measure)] if (name, measure) in inferred.index
                       else pd.Series(dtype=float))
                reason = why or ("" if np.isfinite(g) else
                                 "no corrected similarity (no reliable profile)")
                if not reason and not np.isfinite(inf.get("gap_p", np.nan)):
                    reason = (f"no interval: fewer than {MIN_SUBJECTS} subjects with "
                              f">= {MIN_FEATURES} selected voxels")
                rows.append({"threshold": float(thr), "networks": name,
                             "n_models": len(models), "measure": measure,
                             "mean_voxels": float(np.mean([x.n_channels for x in b])),
                             "mean_units": (float(np.mean([x.n_channels for x in n_g]))
                                            if n_g else 0.0),
                             "hh": e.get("hh_mean", np.nan), "hn": e.get("hn_mean", np.nan),
                             "gap": g, "gap_bias": inf.get("gap_bias", np.nan),
                             "gap_corrected": inf.get("gap_estimate_corrected", np.nan),
                             "gap_ci_low": inf.get("gap_ci_low", np.nan),
                             "gap_ci_high": inf.get("gap_ci_high", np.nan),
                             "gap_p": inf.get("gap_p", np.nan),
                             "status": "excluded" if reason else "ok", "reason": reason})
    return pd.DataFrame(rows)


def hh_by_threshold(brains: list[tuple[Responses, np.ndarray]], thresholds: list[float],
                    n_img: int, method: Method = Method("correlation")) -> pd.DataFrame:
    """Corrected human-human similarity (ratio of means) per threshold and measure with one
    method (by default the paper's correlation distance, for the reproduction report).
    Columns: threshold, measure, hh."""
    rows = []
    idx = np.arange(n_img)
    for thr in thresholds:
        b = [select(r, t, thr) for r, t in brains]
        ok = sum(x.n_channels >= MIN_FEATURES for x in b) >= 2
        hh = group_means(similarities(b, [], idx, method))[0] if ok else {}
        for measure in MEASURES:
            rows.append({"threshold": float(thr), "measure": measure,
                         "hh": hh.get(measure, np.nan)})
    return pd.DataFrame(rows)
