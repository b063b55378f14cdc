"""The alignment-pattern analysis in results.json (its summary as is), in the manuscript's
macros and in its table (table_apa.tex)."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.registry import MacroContext
from analysis.report.format import tabular, tex, tex_text


def results(summary: dict[str, Any]) -> dict[str, Any]:
    """results.json's ``alignment_patterns``: the stage's summary.json."""
    return summary


def tables(apa: dict[str, Any]) -> dict[str, str]:
    """The generated LaTeX tables: file name -> text."""
    return {"table_apa.tex": apa_table(apa)}


APA_MEASURES = {"rsa": "Rsa", "predictivity": "Pred"}


def _first_trained(systems: dict) -> dict:
    trained = [v for v in systems.values() if v.get("kind") == "model" and v.get("trained")]
    return trained[0] if trained else {}


def macros(apa: dict[str, Any], context: MacroContext) -> dict[str, str]:
    """Per measure: pattern stability, the positive control, the first trained model, the
    models' rank stability ('n/a' where not run)."""
    m = {"resApaRegions": tex(len(apa.get("regions", [])) or None),
         "resApaCalibratedAlpha": tex(apa.get("calibrated_alpha"), 3),
         "resApaImages": tex(apa.get("n_images")),
         "resApaIntervalLevel": tex(100 * apa["interval"] if "interval" in apa else None, 0),
         "resApaSubjects": tex(len(apa.get("subjects", [])) or None)}
    for key, short in APA_MEASURES.items():
        e = apa.get("measures", {}).get(key, {})
        systems = e.get("systems", {})
        base = f"resApa{short}"
        m[f"{base}Stability"] = tex(e.get("stability_mean"))
        m[f"{base}StabilityMin"] = tex(e.get("stability_min"))
        m[f"{base}Reference"] = tex(e.get("reference_conventional"))
        pos = systems.get("positive_control", {})
        m[f"{base}PositiveAgreement"] = tex(pos.get("agreement"))
        m[f"{base}PositiveConventional"] = tex(pos.get("conventional"))
        m[f"{base}PositiveConventionalPlain"] = tex(pos.get("conventional_plain"))
        first = _first_trained(systems)
        m[f"{base}ModelAgreement"] = tex(first.get("agreement"))
        m[f"{base}ModelConventional"] = tex(first.get("conventional"))
        m[f"{base}ModelConventionalPlain"] = tex(first.get("conventional_plain"))
        m[f"{base}ModelRankConventional"] = tex(first.get("rank_conventional"), 0)
        m[f"{base}ModelRankConventionalPlain"] = tex(first.get("rank_conventional_plain"), 0)
        m[f"{base}Models"] = tex(len(systems) or None)
        m[f"{base}ModelAboveChance"] = tex(first.get("regions_above_chance"))
        m[f"{base}ModelAboveChanceFdr"] = tex(first.get("regions_above_chance_fdr"))
        models = [v for v in systems.values() if v.get("kind") == "model"]
        for kind, name in (("conventional", "Conv"), ("apa", "Apa")):
            stable = [v[f"rank_{kind}_stable"] for v in models
                      if v.get(f"rank_{kind}_stable") is not None]
            m[f"{base}{name}StableMean"] = tex(float(np.mean(stable)) if stable else None)
    return m


def apa_table(apa: dict[str, Any]) -> str:
    """booktabs table: per measure and system, the conventional score (and the plain one: RSA
    without the mean RDM partialled out; predictivity is plain already), the APA agreement
    (means over regions) and both ranks with their bootstrap 95 % intervals."""
    rows = []
    for key in APA_MEASURES:
        for name, v in apa.get("measures", {}).get(key, {}).get("systems", {}).items():
            kind = "control" if v["kind"] == "control" else (
                "trained" if v["trained"] else "untrained")
            ci = {k: v[f"rank_{k}_interval"] for k in ("conventional", "apa")}
            rows.append(f"{key} & {tex_text(name)} ({kind}) & {tex(v['conventional'])} & "
                        f"{tex(v.get('conventional_plain'))} & "
                        f"{tex(v['agreement'])} & {tex(v['rank_conventional'], 0)} "
                        f"[{tex(ci['conventional'][0], 0)}, {tex(ci['conventional'][1], 0)}] & "
                        f"{tex(v['rank_apa'], 0)} [{tex(ci['apa'][0], 0)}, "
                        f"{tex(ci['apa'][1], 0)}] \\\\")
        rows.append(r"\addlinespace")
    return tabular("llrrrll", r"Measure & System & conventional & plain & APA agreement & "
                    r"rank (conv.) & rank (APA) \\", rows)
