"""The HH - HN gap over selection thresholds (Figure 4): one region, one unit localizer.

Voxels and units are re-selected at every threshold from their localizer t-values with the one
selection rule (:func:`analysis.stats.selection.above`), so the sweep at the main threshold and
the main analysis select exactly the same channels. A setting where no gap can be computed
(fewer than two subjects or no network with a profile) is reported as excluded with the reason,
as is a missing disjoint-pair test.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.responses import Responses
from analysis.stats.comparison import (
    MEASURES,
    MIN_FEATURES,
    Method,
    gap,
    hn_by_model,
    network_groups,
    restrict,
    similarities,
)
from analysis.stats.inference import disjoint_pairs, pair_tests
from analysis.stats.selection import above


def select(r: Responses, t: np.ndarray, threshold: float) -> Responses:
    """The channels of ``r`` whose t exceeds ``threshold``, with the threshold recorded."""
    sel = replace(r.system.selection, threshold=float(threshold))
    return r.take(above(t, threshold)).relabel(replace(r.system, selection=sel))


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
          thresholds: list[float], n_img: int, method: Method = Method()) -> pd.DataFrame:
    """One row per threshold, network group and measure: mean voxels/units, HH, HN, gap,
    disjoint-pair p.

    brains: each subject's responses of all region voxels with their localizer t; nets: each
    model's responses of all units of its layer with their t. Network groups as in the main
    comparison (comparison.network_groups: each model, trained pooled, untrained pooled).
    ``status`` is 'ok' or 'excluded', ``reason`` says why (also when only the pair test is
    missing).
    """
    rows = []
    idx = np.arange(n_img)
    groups = network_groups([r.system for r, _ in nets])
    for thr in thresholds:
        b = [select(r, t, thr) for r, t in brains]
        n = [select(r, t, thr) for r, t in nets]
        hh_possible = sum(x.n_channels >= MIN_FEATURES for x in b) >= 2
        sim = similarities(b, n, idx, method) if hh_possible else None
        for name, models in groups.items():
            n_g = [x for x in n if x.system.model in models]
            why = exclusion(b, n_g)
            part = restrict(sim, models) if sim is not None else None
            g = gap(part) if part is not None else dict.fromkeys(MEASURES, np.nan)
            tests = (pair_tests(disjoint_pairs(part)).set_index("measure")
                     if part is not None else pd.DataFrame())
            hn = hn_by_model(part) if part is not None else pd.DataFrame()
            for measure in MEASURES:
                hh = (part[(part["measure"] == measure) & (part["kind"] == "hh")]["r_corrected"]
                      .mean() if part is not None else np.nan)
                p = tests["p_t"].get(measure, np.nan) if len(tests) else np.nan
                reason = why or ("" if np.isfinite(g[measure]) else
                                 "no finite corrected similarity (a reliability <= 0)")
                ok = not reason
                if ok and not np.isfinite(p):
                    reason = ("pair test not computed (fewer than 2 disjoint pairs with both "
                              "values)")
                rows.append({"threshold": float(thr), "networks": name,
                             "n_models": len(models), "measure": measure,
                             "mean_voxels": float(np.mean([x.n_channels for x in b])),
                             "mean_units": (float(np.mean([x.n_channels for x in n_g]))
                                            if n_g else 0.0),
                             "hh": hh, "hn": (hn.loc[measure].mean() if measure in hn.index
                                              else np.nan),
                             "gap": g[measure], "p_pairs": p,
                             "status": "ok" if ok else "excluded", "reason": reason})
    return pd.DataFrame(rows)


def hh_by_threshold(brains: list[tuple[Responses, np.ndarray]], thresholds: list[float],
                    n_img: int, method: Method = Method("correlation")) -> pd.DataFrame:
    """Mean corrected human-human similarity per threshold and measure with one method (by
    default the paper's correlation distance, for the reproduction report). Columns:
    threshold, measure, hh."""
    rows = []
    idx = np.arange(n_img)
    for thr in thresholds:
        b = [select(r, t, thr) for r, t in brains]
        ok = sum(x.n_channels >= MIN_FEATURES for x in b) >= 2
        sim = similarities(b, [], idx, method) if ok else None
        for measure in MEASURES:
            hh = (sim[(sim["measure"] == measure) & (sim["kind"] == "hh")]["r_corrected"].mean()
                  if sim is not None else np.nan)
            rows.append({"threshold": float(thr), "measure": measure, "hh": hh})
    return pd.DataFrame(rows)
