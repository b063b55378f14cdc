"""Reverse predictivity in results.json (its summary as is) and in the manuscript's macros."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.registry import MacroContext
from analysis.report.format import macro_name, tex, tex_text


def results(summary: dict[str, Any]) -> dict[str, Any]:
    """results.json's ``reverse_predictivity``: the stage's summary.json."""
    return summary


def macros(rev: dict[str, Any], context: MacroContext) -> dict[str, str]:
    """The settings and, per compared region (``res<Region>Rev…``), the reference, the trained
    networks' mean forward and reverse EV and common shares, the first network's tests, the
    positive control's EVs and verdict and the negative control's reverse EV ('n/a' for a
    region not run)."""
    m = {"resRevFolds": tex(rev.get("folds")),
         "resRevCommonPercent": tex(round(100 * rev["common_quantile"])
                                    if rev.get("common_quantile") is not None else None)}
    for roi in context.regions:
        m |= _region(rev, roi)
    return m


def _region(rev: dict[str, Any], roi: str) -> dict[str, str]:
    base = f"res{macro_name(roi)}Rev"
    m = {}
    ref = rev.get("reference", {}).get(roi, {})
    m[f"{base}Reference"] = tex(ref.get("ev_mean"))
    m[f"{base}ReferenceDirectionDiff"] = tex(ref.get("direction_difference_mean_abs"))
    nets = [v[roi] for k, v in rev.get("by_model", {}).items()
            if k in rev.get("models", []) and roi in v]

    def mean(key: str) -> float | None:
        return (float(np.mean([n[key] for n in nets]))
                if nets and all(n[key] is not None for n in nets) else None)

    m[f"{base}Forward"] = tex(mean("forward_ev"))
    m[f"{base}Reverse"] = tex(mean("reverse_ev"))
    m[f"{base}CommonSelective"] = tex(mean("common_share_selective"))
    m[f"{base}CommonOther"] = tex(mean("common_share_other"))
    first = nets[0] if nets else {}
    m[f"{base}AsymmetryP"] = tex(first.get("asymmetry", {}).get("p"))
    m[f"{base}CommonDiffP"] = tex(first.get("selective_minus_other", {}).get("p"))
    pos = rev.get("by_model", {}).get("positive_control", {}).get(roi, {})
    m[f"{base}PositiveReverse"] = tex(pos.get("reverse_ev"))
    m[f"{base}PositiveForward"] = tex(pos.get("forward_ev"))
    eq = pos.get("equivalence", {})
    m[f"{base}PositiveAsymmetry"] = tex(eq.get("mean_abs"))
    m[f"{base}PositiveVerdict"] = tex_text(eq.get("verdict", "n/a"))
    m[f"{base}PositiveMargin"] = tex(eq.get("margin"))
    m[f"{base}CommonReliabilityRho"] = tex(first.get("common_share_vs_reliability_spearman"))
    low, high = first.get("common_share_range", [None, None])
    m[f"{base}CommonSelectiveMin"] = tex(low)
    m[f"{base}CommonSelectiveMax"] = tex(high)
    negs = [v[roi]["reverse_ev"] for k, v in rev.get("by_model", {}).items()
            if k.endswith("/shuffled_images") and roi in v]
    m[f"{base}NegativeReverse"] = tex(float(np.mean(negs)) if negs else None)
    return m
