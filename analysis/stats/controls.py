"""Controls of the human-human vs human-network comparison, run like a network.

Positive: a noise-free simulated subject (a brain that should match) presented as a network.
Negative: the same system with its images shuffled, which breaks every image-level
correspondence (analysis.io.controls reads the first, :func:`negative` builds the second).
Both go through the comparison's own estimators and inference, and each is judged by its
interval at ``equivalence_level`` (90 %: two one-sided tests at 5 %) against a stated margin,
never by an interval that happens to include 0:

* positive control (its gap HH - HN should be 0): 'pass' when the interval lies within
  ± margin (equivalent), 'fail' when it excludes 0 (the method is biased), 'inconclusive'
  otherwise (too imprecise to tell: a wide interval is not a success);
* negative control (the comparison must tell it apart): 'pass' when the gap's interval lies
  above the margin, 'fail' when it does not exclude 0, 'inconclusive' otherwise.

A biased method (e.g. the paper's correlation distance in a world where images differ in signal
strength) fails the positive control.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.responses import NetworkId, Responses, as_network
from analysis.stats.comparison import Method, prepare_all, similarities
from analysis.stats.gap_inference import dual_bootstrap, equivalent
from analysis.stats.gap_inference import summarise as infer
from analysis.stats.region_comparison import point_estimates
from analysis.vocabulary import NEGATIVE_CONTROL, POSITIVE_CONTROL

#: The inference columns of HN and the gap in the controls table (prefixed hn_, gap_).
_INFERRED = ("bias", "estimate_corrected", "se", "ci_low", "ci_high", "p")


def negative(r: Responses, rng: np.random.Generator) -> Responses:
    """The negative control of any system: ``r`` with its rows (images) permuted, labelled
    NEGATIVE_CONTROL (a control, with ``r``'s layer, training state and selection)."""
    sys = as_network(r.system)
    order = rng.permutation(r.n_stimuli)
    return Responses(r.data[order], r.stimuli, r.channels,
                     NetworkId(NEGATIVE_CONTROL, sys.layer, sys.trained, sys.selection,
                               control=True))


def control_comparison(brains: list[Responses], positive: Responses, negative: Responses,
                       n_boot: int, ci_level: float, method: Method,
                       boot_rng: np.random.Generator, margin: float,
                       equivalence_level: float) -> pd.DataFrame:
    """One row per control and measure: HH, HN, gap and their inference (the comparison's
    columns), the gap's and HN's intervals at ``equivalence_level`` (``gap_eq_low`` ...),
    ``margin`` and ``verdict`` (:func:`verdict`). ``positive`` is judged as POSITIVE_CONTROL
    (relabelled), ``negative`` under its own name; both on the brains' images."""
    systems = [positive.relabel(_named(positive, POSITIVE_CONTROL)), negative]
    n_img = brains[0].n_stimuli
    sim = similarities(brains, systems, np.arange(n_img), method)
    models = [as_network(s.system).model for s in systems]
    groups: dict[str, tuple[str, ...]] = {m: (m,) for m in models}
    table = pd.DataFrame(point_estimates(sim, groups))
    pb, pn = prepare_all(brains, method), prepare_all(systems, method)
    if len(pb) < 2 or len(pn) < 2:  # no HH pair, or the control has too few voxels
        empty = {f"{stat}_{c}": np.nan for stat in ("hn", "gap")
                 for c in (*_INFERRED, "eq_low", "eq_high")}
        return (table.rename(columns={"networks": "control"}).drop(columns="n_models")
                .assign(**empty, margin=margin, verdict="not run"))
    rep = dual_bootstrap(pb, pn, [as_network(p.system).model for p in pn], groups, n_boot,
                         boot_rng, method)
    main, eq = infer(rep, ci_level), infer(rep, equivalence_level)
    rows = []
    for r in table.to_dict("records"):
        g, m = r["networks"], r["measure"]
        for stat in ("hn", "gap"):
            a = main[(main["statistic"] == stat) & (main["group"] == g)
                     & (main["measure"] == m)].iloc[0]
            e = eq[(eq["statistic"] == stat) & (eq["group"] == g) & (eq["measure"] == m)].iloc[0]
            r.update({f"{stat}_{c}": a[c] for c in _INFERRED})
            r.update({f"{stat}_eq_low": e["ci_low"], f"{stat}_eq_high": e["ci_high"]})
        r["margin"] = margin
        r["verdict"] = verdict(r["networks"], r["gap_eq_low"], r["gap_eq_high"], margin)
        rows.append(r)
    return pd.DataFrame(rows).rename(columns={"networks": "control"}).drop(columns="n_models")


def _named(r: Responses, model: str) -> NetworkId:
    s = as_network(r.system)
    return NetworkId(model, s.layer, s.trained, s.selection, control=s.control)


def verdict(control: str, low: float, high: float, margin: float) -> str:
    """A control's verdict from its gap's equivalence interval (module docstring); 'not run'
    without an interval."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "not run"
    if control == POSITIVE_CONTROL:
        if equivalent(low, high, margin):
            return "pass"
        return "fail" if low > 0 or high < 0 else "inconclusive"
    if low > margin:
        return "pass"
    return "fail" if low <= 0 else "inconclusive"

