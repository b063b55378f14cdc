"""The encoding models in results.json (their summary as is), in the manuscript's macros and
in their table (table_encoding.tex)."""

from __future__ import annotations

from typing import Any

from analysis.registry import MacroContext
from analysis.report.format import SILENCING, macro_name, tex, tex_text
from analysis.report.verdicts import and_list


def results(summary: dict[str, Any]) -> dict[str, Any]:
    """results.json's ``encoding``: the stage's summary.json."""
    return summary


def macros(enc: dict[str, Any], context: MacroContext) -> dict[str, str]:
    """The encoding macros of the compared regions (encoding_macros) and Finding 4's verdict
    (``resEncVerdictSentence``)."""
    return {**encoding_macros(enc, context.regions),
            "resEncVerdictSentence": verdict_sentence(enc, context.regions)}


def tables(enc: dict[str, Any]) -> dict[str, str]:
    """The generated LaTeX tables: file name -> text."""
    return {"table_encoding.tex": encoding_table(enc)}


#: Encoding feature sets -> macro suffix (means over subjects, trained models pooled).
ENC_SETS = {"all": "All", "lesioned": "Lesioned", "selective": "Selective",
            "random_lesioned": "RandLesioned", "random_only": "RandOnly"}
ENC_MEASURES = {"univariate_rc": "Uni", "multivariate_rc": "Multi", "voxel_r_normalised": "Vox"}
ENC_TESTS = {"necessity": "Necessity", "sufficiency_vs_random": "SuffRandom",
             "drop_lesioned": "DropLesioned", "drop_selective": "DropSelective"}


def encoding_macros(enc: dict, regions: list[str]) -> dict[str, str]:
    """Encoding numbers (necessity/sufficiency, trained models pooled) per region; 'n/a' for a
    region not run."""
    m = {"resEncModels": tex(len(enc.get("models", []))),
         "resEncRandomSets": tex(enc.get("random_sets")),
         "resEncReadout": tex_text(enc.get("insilico_readout") or "n/a"),
         "resEncReadoutPooling": ("its kernels averaged over positions" if enc.get("insilico_pool")
                                  else "every unit"),
         "resEncAlpha": tex(enc.get("alpha")),
         "resEncSmallestEffect": tex(enc.get("smallest_effect_share")),
         "resEncSilencing": SILENCING.get(next(iter(enc.get("silencing", {}).values()), ""),
                                          "n/a")}
    for roi in regions:
        block = enc.get("pooled_trained", {}).get(roi, {})
        for measure, short in ENC_MEASURES.items():
            base = f"res{macro_name(roi)}Enc{short}"
            e = block.get(measure, {})
            lay, ins = e.get("layer", {}), e.get("insilico", {})
            for key, suffix in ENC_SETS.items():  # 3 decimals: the effects are small
                m[f"{base}{suffix}"] = tex(lay.get(f"mean_{key}"), 3)
            for key, suffix in ENC_TESTS.items():
                m[f"{base}{suffix}"] = tex(lay.get(key), 3)
                m[f"{base}{suffix}P"] = tex(lay.get(f"{key}_p"))
            for key in ("necessity", "sufficiency_vs_random"):  # the subjects' t (descriptive)
                m[f"{base}{ENC_TESTS[key]}PSubjects"] = tex(lay.get(f"{key}_p_subjects"))
            m[f"{base}NecessityEv"] = tex(lay.get("necessity_ev"), 3)
            m[f"{base}EquivalenceP"] = tex(lay.get("necessity_equivalence_p"))
            m[f"{base}NotNeeded"] = tex(lay.get("not_needed"))
            m[f"{base}Share"] = tex(lay.get("sufficiency_share"))
            m[f"{base}Necessary"] = tex(lay.get("necessary"))
            m[f"{base}BetterThanRandom"] = tex(lay.get("better_than_random"))
            m[f"{base}InsilicoAll"] = tex(ins.get("mean_all"), 3)
            m[f"{base}InsilicoLesioned"] = tex(ins.get("mean_lesioned"), 3)
            m[f"{base}InsilicoNecessity"] = tex(ins.get("necessity"), 3)
            m[f"{base}InsilicoNecessityP"] = tex(ins.get("necessity_p"))
            m[f"{base}Negative"] = tex(e.get("negative_control_mean"))
            m[f"{base}Positive"] = tex(enc.get("positive_control", {}).get(roi, {})
                                       .get(measure))
    return m


#: What the two removal tests together say about the selective units (necessary: removing
#: them cost more than removing as many random units; not needed: that extra cost is below the
#: smallest effect of interest, by equivalence).
NEED = {(False, True): "not needed", (True, True): "needed only slightly",
        (True, False): "needed", (False, False): "undecided"}


def verdict_sentence(enc: dict[str, Any], regions: list[str]) -> str:
    """Finding 4's verdict from the univariate accuracy of the trained networks (pooled): per
    region whether the selective units were needed (:data:`NEED`), and how much of the
    all-unit accuracy they kept alone, against random sets of the same size."""
    pooled = enc.get("pooled_trained", {})
    ran = [r for r in regions if pooled.get(r, {}).get("univariate_rc", {}).get("layer")]
    if not ran:
        return "No encoding model of a trained network was fitted in this build."
    groups: dict[str, list[str]] = {}
    shares: list[float] = []
    better: list[str] = []
    not_better: list[str] = []
    for region in ran:
        lay = pooled[region]["univariate_rc"]["layer"]
        key = (bool(lay.get("necessary")), bool(lay.get("not_needed")))
        groups.setdefault(NEED[key], []).append(region)
        if lay.get("sufficiency_share") is not None:
            shares.append(float(lay["sufficiency_share"]))
        (better if lay.get("better_than_random") else not_better).append(region)
    why = {"not needed": "removing them cost less than the smallest effect of interest",
           "needed only slightly": "removing them cost more than removing random units, but "
                                   "less than the smallest effect of interest",
           "needed": "removing them cost more than removing random units",
           "undecided": "neither test was conclusive"}
    parts = [f"{need} in {and_list(rs)} ({why[need]})" for need, rs in groups.items()]
    n = len(enc.get("models", []))
    whose = "the trained network" if n == 1 else "the trained networks (pooled)"
    sentence = (f"By the univariate accuracy of the encoding models of {whose}, the selective "
                f"units were "
                f"{'; '.join(parts)}.")
    if shares:
        low, high = tex(min(shares)), tex(max(shares))
        kept = low if low == high else f"{low} to {high}"
        vs = []
        if better:
            vs.append(f"more than random sets of the same size in {and_list(better)}")
        if not_better:
            vs.append(f"no more than random sets in {and_list(not_better)}")
        sentence += f" Alone they kept {kept} of the all-unit accuracy, {' and '.join(vs)}."
    return sentence


def encoding_table(enc: dict) -> str:
    """booktabs table per model (and pooled trained), region and measure: mean accuracy of each
    feature set, necessity and better-than-random with their p."""
    rows = [r"\begin{tabular}{lllrrrrrrr}", r"\toprule",
            r"Model & Region & Measure & all & $-$sel. & $-$rand. & sel. & rand. & "
            r"necessity ($p$) & sel.$-$rand. ($p$) \\", r"\midrule"]
    groups = [(tex_text(k), v) for k, v in enc.get("by_model", {}).items()]
    if len(groups) > 1:
        groups.append(("trained, pooled", enc.get("pooled_trained", {})))
    for label, by_region in groups:
        for roi, block in by_region.items():
            for measure, short in ENC_MEASURES.items():
                lay = block.get(measure, {}).get("layer", {})
                cells = " & ".join(tex(lay.get(f"mean_{k}"), 3) for k in
                                   ("all", "lesioned", "random_lesioned", "selective",
                                    "random_only"))
                rows.append(f"{label} & {roi} & {short} & {cells} & "
                            f"{tex(lay.get('necessity'), 3)} ({tex(lay.get('necessity_p'))}) & "
                            f"{tex(lay.get('sufficiency_vs_random'), 3)} "
                            f"({tex(lay.get('sufficiency_vs_random_p'))}) \\\\")
        rows.append(r"\addlinespace")
    rows += [r"\bottomrule", r"\end{tabular}"]
    return "% Generated by `python -m analysis macros`. Do not edit.\n" + "\n".join(rows) + "\n"
