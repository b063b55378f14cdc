"""Out-of-domain decoding in results.json (its summary as is), in the manuscript's macros and
in its table (table_ood.tex)."""

from __future__ import annotations

from typing import Any

from analysis.registry import MacroContext
from analysis.report.format import tabular, tex, tex_text
from analysis.vocabulary import NEGATIVE_CONTROL


def results(summary: dict[str, Any]) -> dict[str, Any]:
    """results.json's ``ood_decoding``: the decoding stage's summary.json."""
    return summary


def tables(ood: dict[str, Any]) -> dict[str, str]:
    """The generated LaTeX tables: file name -> text."""
    return {"table_ood.tex": ood_table(ood)}


def friedman_clause(f: dict) -> str:
    """The Friedman test over the trained networks in words: its statistic and p, or why it did
    not run (it needs two or more networks as blocks)."""
    if f.get("chi2") is None:
        n = f.get("n_models") or 0
        return ("not testable over the trained networks (the Friedman test needs two or more "
                f"that reach the neural in-domain accuracy as blocks; this run has {n})")
    return (f"Friedman statistic {tex(f['chi2'])}, $p$ = {tex(f.get('p'))} "
            f"({tex(f.get('n_models'))} trained networks as blocks)")


def macros(ood: dict[str, Any], context: MacroContext) -> dict[str, str]:
    """The out-of-domain decoding (neural population, first trained model, controls, Friedman
    tests, the extrapolation); 'n/a' where not run."""
    m: dict[str, str] = {}
    n_models = len(ood.get("models", {}))
    m.update({"resOodNeuralInDomain": tex(ood.get("neural_in_domain")),
              "resOodNeuralOod": tex(ood.get("neural_ood_mean")),
              "resOodSites": tex(ood.get("neural_sites")),
              "resOodDomains": tex(len(ood.get("domains", [])) or None),
              "resOodSplits": tex(ood.get("splits")),
              "resOodBases": tex(ood.get("bases_per_class")),
              "resOodModels": tex(n_models or None)})
    first: dict[str, Any] = next((v for v in ood.get("models", {}).values()
                                  if v.get("trained")), {})
    m.update({"resOodModelMatched": tex(first.get("matched_units"), 1),
              "resOodModelMatchedInDomain": tex(first.get("matched_in_domain")),
              "resOodModelMatchedOod": tex(first.get("matched_ood_mean")),
              "resOodModelAllInDomain": tex(first.get("all_units_in_domain")),
              "resOodModelAllOod": tex(first.get("all_units_ood_mean")),
              "resOodModelDiff": tex(first.get("difference")),
              "resOodModelP": tex(first.get("p")),
              "resOodModelWelchP": tex(first.get("welch_p")),
              "resOodModelDraws": tex(first.get("draws_reaching_neural"))})
    pos = ood.get("controls", {}).get("positive_control", {})
    neg = ood.get("controls", {}).get(NEGATIVE_CONTROL, {})
    m.update({"resOodPositiveSites": tex(pos.get("units_in_layer")),
              "resOodPositiveMatched": tex(pos.get("matched_units"), 1),
              "resOodPositiveMatchedOod": tex(pos.get("matched_ood_mean")),
              "resOodPositiveDiff": tex(pos.get("difference")),
              "resOodPositiveP": tex(pos.get("p")),
              "resOodNegativeInDomain": tex(neg.get("all_units_in_domain")),
              "resOodNegativeOod": tex(neg.get("all_units_ood_mean")),
              "resOodNegativeReached": tex(neg.get("reached"))})
    f = ood.get("friedman", {})
    m.update({"resOodFriedmanChi": tex(f.get("chi2")), "resOodFriedmanP": tex(f.get("p")),
              "resOodFriedmanModels": tex(f.get("n_models")),
              "resOodFriedmanTrained": friedman_clause(f)})
    fu = ood.get("friedman_untrained", {})
    m.update({"resOodFriedmanUntrainedChi": tex(fu.get("chi2")),
              "resOodFriedmanUntrainedP": tex(fu.get("p")),
              "resOodFriedmanUntrainedModels": tex(fu.get("n_models"))})
    m.update(_ood_extrapolation_macros(ood.get("extrapolation", {})))
    return m


def _ood_extrapolation_macros(ext: dict) -> dict[str, str]:
    """The paper's Fig 3E / B.3 numbers: the neural log fit, its value at the extrapolation
    end, and for the first trained network and the positive control the full layer in
    site-equivalents, the extrapolated neural accuracy there and the gap (and its range over
    the numbers of sites behind the scaling)."""
    systems = ext.get("systems", {})
    first: dict[str, Any] = next((v for v in systems.values() if v.get("kind") == "trained"),
                                 {})
    pos = systems.get("positive_control", {})
    sites = ext.get("fit_sites") or [None, None]
    m = {"resOodExtrapA": tex(ext.get("a"), 3), "resOodExtrapB": tex(ext.get("b")),
         "resOodExtrapRsq": tex(ext.get("r2")), "resOodExtrapFitLow": tex(sites[0]),
         "resOodExtrapFitHigh": tex(sites[1]), "resOodExtrapTo": tex(ext.get("extrapolate_to")),
         "resOodExtrapAtTo": tex(ext.get("neural_at_extrapolate_to"))}
    for name, e in (("Model", first), ("Positive", pos)):
        equiv = e.get("site_equiv_all")
        m.update({f"resOod{name}SiteEquiv": tex(round(equiv) if equiv is not None else None),
                  f"resOod{name}ExtrapNeural": tex(e.get("neural_ood_extrapolated")),
                  f"resOod{name}ExtrapCeiling": tex(e.get("at_ceiling")),
                  f"resOod{name}ExtrapGap": tex(e.get("gap")),
                  f"resOod{name}ExtrapGapMin": tex(e.get("gap_min_over_sweep")),
                  f"resOod{name}ExtrapGapMax": tex(e.get("gap_max_over_sweep"))})
    return m


def ood_table(ood: dict[str, Any]) -> str:
    """booktabs table per model: matched units, in-domain and mean OOD 2AFC of the matched
    population and of all units, the difference from the neural population and the paper's
    t-test."""
    rows = [f"neural population & {tex(ood.get('neural_sites'))} sites & "
            f"{tex(ood.get('neural_in_domain'))} & {tex(ood.get('neural_ood_mean'))} & & & & "
            r"\\"]
    for name, v in {**ood.get("models", {}), **ood.get("controls", {})}.items():
        kind = v.get("kind", "trained" if v["trained"] else "untrained")
        rows.append(f"{tex_text(name)} ({kind}) & {tex(v.get('matched_units'), 1)} & "
                    f"{tex(v.get('matched_in_domain'))} & {tex(v.get('matched_ood_mean'))} & "
                    f"{tex(v.get('all_units_in_domain'))} & {tex(v.get('all_units_ood_mean'))} & "
                    f"{tex(v.get('difference'))} & {tex(v.get('p'))} \\\\")
    return tabular("lrrrrrrl", r"Model & units & \multicolumn{2}{c}{matched: ID / OOD} & "
                    r"\multicolumn{2}{c}{all units: ID / OOD} & $-$neural & $p$ ($t$-test) \\",
                    rows)
