"""The divergence analysis in results.json (its summary as is), in the manuscript's macros and
in its tables (table_divergence.tex, table_divergence_real.tex). The annotation counts it cites
are the annotate stage's (analysis.report.macros.annotation_macros)."""

from __future__ import annotations

from typing import Any

from analysis.registry import MacroContext
from analysis.report.format import macro_name, tabular, tex, tex_text
from analysis.report.verdicts import and_list


def results(summary: dict[str, Any]) -> dict[str, Any]:
    """results.json's ``divergence``: the stage's summary.json."""
    return summary


def tables(div: dict[str, Any]) -> dict[str, str]:
    """The generated LaTeX tables: file name -> text."""
    return {"table_divergence.tex": divergence_table(div),
            "table_divergence_real.tex": real_images_table(div)}


GEN_PARTS = {"held-out subjects and images": "SubjectsImages",
             "held-out models, subjects and images": "Models"}


def macros(div: dict[str, Any], context: MacroContext) -> dict[str, str]:
    """Diagnostic contrasts per region (``context.regions``): the brain (subjects; subjects and
    images), the first trained model, the trained models' mean, the controls, the
    generalisation parts (first model of each part); 'n/a' where not run."""
    regions = context.regions
    m = {"resDivCutoff": tex(div.get("residual_cutoff")),
         "resDivShift": tex(div.get("control_shift"))}
    it = div.get("it_rdm", {})
    m["resDivItRatio"] = tex(it.get("human_it_ratio_mean"))
    m["resDivItSubjects"] = tex(it.get("n_human_subjects"))
    for region in regions:
        e = div.get("regions", {}).get(region, {})
        base = f"res{macro_name(region)}Div"
        brain, systems = e.get("brain", {}), e.get("systems", {})
        m[f"{base}LabelA"] = tex_text(e.get("label_a", "n/a").replace("_", " "))
        m[f"{base}LabelB"] = tex_text(e.get("label_b", "n/a").replace("_", " "))
        m[f"{base}NA"], m[f"{base}NB"] = tex(e.get("n_a")), tex(e.get("n_b"))
        m[f"{base}Brain"] = tex(brain.get("estimate"))
        m[f"{base}BrainLow"] = tex(brain.get("low"))
        m[f"{base}BrainHigh"] = tex(brain.get("high"))
        m[f"{base}BrainP"] = tex(brain.get("p"))
        m[f"{base}BrainSubjectsP"] = tex(brain.get("subjects_only", {}).get("p"))
        m[f"{base}BrainCategory"] = tex(brain.get("category_effect"))
        m[f"{base}BrainPositive"] = tex(brain.get("subjects_positive"))
        m[f"{base}Subjects"] = tex(brain.get("n_subjects"))
        m[f"{base}Trained"] = tex(e.get("trained_mean_contrast"))
        trained = [k for k, v in systems.items() if v["kind"] == "trained"]
        first = systems.get(trained[0], {}) if trained else {}
        m[f"{base}Model"] = tex(first.get("estimate"))
        m[f"{base}ModelP"] = tex(first.get("p"))
        diff = first.get("difference", {})
        m[f"{base}Diff"] = tex(diff.get("estimate"))
        m[f"{base}DiffLow"], m[f"{base}DiffHigh"] = tex(diff.get("low")), tex(diff.get("high"))
        m[f"{base}DiffP"] = tex(diff.get("p"))
        for name, short in (("positive_control", "Positive"), ("shifted_control", "Negative")):
            d = systems.get(name, {}).get("difference", {})
            m[f"{base}{short}Diff"] = tex(d.get("estimate"))
            m[f"{base}{short}DiffP"] = tex(d.get("p"))
        m[f"{base}CategoryModel"] = tex(first.get("category_effect"))
        gen = e.get("generalisation", {})
        found = gen.get("found", {})
        m[f"{base}Found"] = tex_text(f"{found['label_a']} - {found['label_b']}".replace("_", " ")
                                     if found else "n/a")
        m[f"{base}FoundDiscovery"] = tex(found.get("estimate"))
        m[f"{base}FoundDiscoveryP"] = tex(found.get("p"))
        for part, short in GEN_PARTS.items():
            for hypothesis, prefix in (("pre-specified", "Gen"), ("found", "GenFound")):
                rows = [v for k, v in gen.get("parts", {}).items()
                        if k.startswith(f"{part}/") and k.endswith(f"/{hypothesis}")
                        and "estimate" in v]
                m[f"{base}{prefix}{short}"] = tex(rows[0]["estimate"] if rows else None)
                m[f"{base}{prefix}{short}P"] = tex(rows[0]["p"] if rows else None)
    m["resDivGenModelsSentence"] = held_out_models_sentence(m, div.get("region_order", []))
    m["resDivVerdictSentence"] = verdict_sentence(div)
    return m


def _excludes_zero(d: dict[str, Any]) -> bool | None:
    """Whether an interval (low, high) lies off zero; None when it is undefined."""
    low, high = d.get("low"), d.get("high")
    if low is None or high is None:
        return None
    return bool(low > 0 or high < 0)


def verdict_sentence(div: dict[str, Any]) -> str:
    """Finding 5's verdict: per main region, whether the brain's pre-specified diagnostic
    contrast differs from the trained networks' (the difference's interval, subjects and
    images crossed, off zero): for every trained network, for some (with counts) or for none;
    with one trained network, the brain's and the network's contrasts and the difference."""
    groups: dict[str, list[str]] = {"all": [], "some": [], "none": [], "untested": []}
    n_trained = 0
    for region in div.get("region_order", []):
        e = div["regions"][region]
        trained = {k: v for k, v in e.get("systems", {}).items() if v.get("kind") == "trained"}
        n_trained = max(n_trained, len(trained))
        calls = [c for c in (_excludes_zero(v.get("difference", {})) for v in trained.values())
                 if c is not None]
        what = (f"{e['label_a']} minus {e['label_b']}".replace("_", " ")
                if "label_a" in e else "")
        if not calls:
            groups["untested"].append(region)
        elif all(calls):
            if len(trained) == 1:
                v = next(iter(trained.values()))
                d = v["difference"]
                groups["all"].append(
                    f"{region} ({tex_text(what)}: brain {tex(e['brain']['estimate'])}, network "
                    f"{tex(v['estimate'])}; difference {tex(d['estimate'])}, interval "
                    f"{tex(d['low'])} to {tex(d['high'])})")
            else:
                groups["all"].append(f"{region} ({tex_text(what)})")
        elif any(calls):
            groups["some"].append(f"{region} ({sum(calls)} of {len(calls)} trained networks)")
        else:
            groups["none"].append(region)
    if not any(groups.values()):
        return "No diagnostic contrast was tested in this build."
    parts = []
    if groups["all"]:
        parts.append(f"differed from the brain on the pre-specified contrast in "
                     f"{and_list(groups['all'])}")
    if groups["some"]:
        parts.append(f"differed from the brain for some networks in {and_list(groups['some'])}")
    if groups["none"]:
        parts.append(f"were not shown to differ from the brain in {and_list(groups['none'])}")
    if groups["untested"]:
        parts.append(f"could not be tested in {and_list(groups['untested'])}")
    whose = "The trained network's" if n_trained == 1 else "The trained networks'"
    return f"{whose} selective units {'; they '.join(parts)}."


def held_out_models_sentence(m: dict[str, str], regions: list[str]) -> str:
    """The held-out-models part in words: each region's pre-specified and found contrast
    difference where a trained model outside the discovery set ran, else that none did."""
    ran = [r for r in regions
           if m.get(f"res{macro_name(r)}DivGenModels", "n/a") != "n/a"
           or m.get(f"res{macro_name(r)}DivGenFoundModels", "n/a") != "n/a"]
    if not ran:
        return ("No trained model outside the discovery set ran, so the held-out-models part "
                "was not tested.")
    pre = ", ".join(f"{m[f'res{macro_name(r)}DivGenModels']} ({r})" for r in ran)
    found = ", ".join(f"{m[f'res{macro_name(r)}DivGenFoundModels']} ({r})" for r in ran)
    return (f"With held-out trained models on the held-out subjects and images the pre-specified "
            f"diagnostics gave {pre} and the found hypotheses {found}.")


#: The interval column's header: the level is the comparison's ``ci_level`` (\\resCILevel).
CI_HEADER = r"contrast [\resCILevel\,\% CI]"


def divergence_table(div: dict) -> str:
    """booktabs table, a block per main region headed by its contrast: the brain's contrast
    and every model's and control's, with the brain-model difference and its p (subjects and
    images crossed)."""
    rows = []
    for region in div.get("region_order", []):
        e = div["regions"][region]
        if "excluded" in e:
            rows += [rf"\multicolumn{{4}}{{l}}{{\textbf{{{region}}}: "
                     rf"{tex_text(e['excluded'])}}} \\", r"\addlinespace"]
            continue
        what = f"{tex_text(e['label_a'])} $-$ {tex_text(e['label_b'])}".replace("\\_", " ")
        b = e["brain"]
        rows += [rf"\multicolumn{{4}}{{l}}{{\textbf{{{region}}}: {what}}} \\",
                 f"brain ({b['n_subjects']} subjects, $p$ = {tex(b['p'])}) & "
                 f"{tex(b['estimate'])} [{tex(b['low'])}, {tex(b['high'])}] & & \\\\"]
        for name, v in e["systems"].items():
            d = v["difference"]
            rows.append(f"{tex_text(name)} ({v['kind']}) & {tex(v['estimate'])} "
                        f"[{tex(v['low'])}, {tex(v['high'])}] & {tex(d['estimate'])} & "
                        f"{tex(d['p'])} \\\\")
        rows.append(r"\addlinespace")
    return tabular("lrrr", rf"System & {CI_HEADER} & brain$-$system & $p$ \\", rows)


def real_images_table(div: dict) -> str:
    """booktabs table of the selective units' contrasts on real stimulus sets, a block per
    set, units and contrast, a row per model."""
    rows: list[str] = []
    block = None
    for r in div.get("real_images", []):
        here = (r["set"], r["units"], r["a"], r["b"])
        if here != block:
            if block is not None:
                rows.append(r"\addlinespace")
            rows.append(rf"\multicolumn{{3}}{{l}}{{\textbf{{{tex_text(r['set'])}}}, "
                        rf"{tex_text(r['units'])} units: {tex_text(r['a'])} $-$ "
                        rf"{tex_text(r['b'])}}} \\")
            block = here
        if r.get("estimate") is None:
            rows.append(f"{tex_text(r['model'])} & no units & \\\\")
            continue
        rows.append(f"{tex_text(r['model'])} & {tex(r.get('estimate'))} [{tex(r.get('low'))}, "
                    f"{tex(r.get('high'))}] & {tex(r.get('p'))} \\\\")
    return tabular("lrr", rf"Model & {CI_HEADER} & $p$ \\", rows)
