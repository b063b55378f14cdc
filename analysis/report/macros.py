"""LaTeX macros and tables from results/results.json: one \\newcommand per value.

Every generated macro starts with ``\\res`` so the manuscript check can tell generated numbers
from LaTeX commands. Names are built from the results' keys (letters only; LaTeX macro names
cannot contain digits).
"""

from __future__ import annotations

import pandas as pd

from analysis import config, registry
from analysis.report.format import SILENCING, macro_name, tex, tex_p_relation, tex_text
from analysis.report.verdicts import (
    ceiling_sentence,
    consistency_sentence,
    planted_sentence,
    untrained_sentence,
)
from analysis.report.zoo_status import zoo_macros, zoo_status
from analysis.vocabulary import POOLED_TRAINED, POOLED_UNTRAINED

MEASURES = {"univariate": "Uni", "multivariate": "Multi"}
RDM_DISTANCE_TEXT = {"crossval_euclidean": "the cross-validated squared Euclidean distance",
                     "correlation": "correlation distance ($1-r$)"}
METRICS = {"fsi": "FSI", "dprime": "Dprime", "ranksum": "Ranksum", "pairwise_t": "Pairwise"}


def _mean(d: dict, prefix: str) -> float | None:
    vals = [v for k, v in d.items() if k.startswith(prefix) and v is not None]
    return sum(vals) / len(vals) if vals else None


def _floor_macros(f: dict) -> dict[str, str]:
    """The selectivity metrics' null floors (label permutations at each layer's sparsity; the
    selectivity-metrics summary, results key ``metrics.null_floor``), in percent."""
    m = {"resMetricsNullPermutations": tex(f.get("permutations")),
         "resFloorQuantile": tex(f.get("quantile_pct")),
         "resFsiFloorKernelsMax": tex(f.get("fsi_null_kernels_max"), 1),
         "resOtherFloorMax": tex(f.get("other_metrics_null_max"), 2)}
    for kind in ("trained", "untrained"):
        k = kind.capitalize()
        lo, hi = f.get(f"fsi_null_units_{kind}", [None, None])
        m[f"resFsiFloorUnits{k}Low"], m[f"resFsiFloorUnits{k}High"] = tex(lo, 1), tex(hi, 1)
        lo, hi = f.get(f"pct_zero_units_{kind}", [None, None])
        m[f"resUnitZeros{k}Low"], m[f"resUnitZeros{k}High"] = tex(lo, 0), tex(hi, 0)
        m[f"resAboveFloor{k}"] = tex(f.get(f"n_above_floor_q95_{kind}"))
        m[f"resFloorPercentages{k}"] = tex(f.get(f"n_percentages_{kind}"))
    return m


def _criteria_macros(c: dict) -> dict[str, str]:
    """The selectivity metrics' criteria (results key ``metrics.criteria``)."""
    return {"resFsiCriterion": tex(c.get("fsi"), 1), "resDprimeCriterion": tex(c.get("dprime")),
            "resRanksumAlpha": tex(c.get("ranksum_alpha"), 3),
            "resPairwiseAlpha": tex(c.get("pairwise_alpha"))}


def _design_macros(v: dict) -> dict[str, str]:
    """The simulated worlds' designs (results/validation/summary.json): the comparison's null
    world, its controls' world and the planted world's population; the localizer worlds' shared
    feature shift; the divergence worlds' images per label and unlabelled images, discovery
    subjects, planted difference and test level (percent, and half of it: a replication must
    also have the same sign)."""
    d = v.get("designs", {})
    null, ctrl, pop = d.get("null", {}), d.get("controls", {}), d.get("population", {})
    m = {"resValNullSubjects": tex(null.get("n_subjects")),
         "resValNullImages": tex(null.get("n_images")),
         "resValNullVoxels": tex(null.get("n_voxels")),
         "resValNullUnitScaleSD": tex(null.get("unit_scale_sd"), 1),
         "resValPopSubjects": tex(pop.get("subjects")), "resValPopImages": tex(pop.get("images")),
         "resValCtrlImages": tex(ctrl.get("n_images")),
         "resValCtrlVoxels": tex(ctrl.get("n_voxels"))}
    for name, design in (("Null", null), ("Ctrl", ctrl)):
        low, high = design.get("ncsnr", [None, None])
        m[f"resVal{name}NcsnrLow"], m[f"resVal{name}NcsnrHigh"] = tex(low), tex(high, 1)
    m["resValLocShift"] = tex(v.get("localizer", {}).get("design", {}).get("shift"), 1)
    div = v.get("divergence", {})
    dd = div.get("design", {})
    alpha = div.get("alpha")
    m.update({"resValDivPerLabel": tex(dd.get("per_label")),
              "resValDivOthers": tex(dd.get("others")),
              "resValDivDiscoverySubjects": tex(dd.get("discovery_subjects")),
              "resValDivPlantedDifference": tex(dd.get("planted_difference"), 0),
              "resValDivPlantedPerLabel": tex(dd.get("planted_per_label")),
              "resValDivAlpha": tex(alpha, 2),
              "resValDivAlphaPct": _pct(alpha, 0),
              "resValDivNominalPct": _pct(alpha / 2 if alpha is not None else None, 1)})
    return m


def _localizer_macros(u: dict, categories: list[str]) -> dict[str, str]:
    """Finding 1's comparison with matched untrained networks at equal k (counts, differences;
    per category for the first trained network), generalisation against its baselines
    (permuted-label selection; random unit sets) and top-k overlap against chance, for trained
    and untrained networks separately (the select-units summary, results key ``units``)."""
    m = {"resGeneraliseDraws": tex(u.get("generalisation_draws")),
         "resGeneraliseAlpha": tex(u.get("generalisation_alpha")),
         "resOverlapPermutations": tex(u.get("overlap_permutations")),
         "resOverlapAlpha": tex(u.get("overlap_alpha")),
         "resTopK": tex(u.get("top_k")), "resBootstrapDraws": tex(u.get("bootstrap_draws")),
         "resComparativeLevel": tex(100 * (1 - 2 * u["generalisation_alpha"])
                                    if "generalisation_alpha" in u else None, 0)}
    for cat in categories:
        first: dict = next((v for k, v in u.get("generalises_last_layer", {}).items()
                      if k.endswith(f"/{cat}") and v.get("trained")), {})
        e = first.get("equal_k", {})
        name = macro_name(cat).capitalize()
        m[f"resEqualK{name}T"] = tex(e.get("t"), 1)
        m[f"resEqualK{name}Untrained"] = tex(e.get("untrained_mean"), 1)
        m[f"resEqualK{name}Diff"] = tex(e.get("difference"), 1)
        m[f"resEqualK{name}Low"] = tex(e.get("ci_low"), 1)
        m[f"resEqualK{name}High"] = tex(e.get("ci_high"), 1)
        m[f"resEqualK{name}P"] = tex(e.get("p_vs_untrained"))
    for kind in ("trained", "untrained"):
        g = u.get(f"generalisation_last_layer_{kind}", {})
        o = u.get(f"overlap_last_layer_{kind}", {})
        name = kind.capitalize()
        m[f"resBeyondUntrainedCount{name}"] = tex(g.get("beyond_untrained"))
        m[f"resBeyondUntrainedTestable{name}"] = tex(g.get("testable"))
        m[f"resBeyondUntrainedDiff{name}"] = tex(g.get("difference_median"), 1)
        m[f"resTEqualK{name}"] = tex(g.get("t_equal_k_median"), 1)
        m[f"resOverlapBeyondCount{name}"] = tex(o.get("beyond_untrained"))
        m[f"resOverlapBeyondTestable{name}"] = tex(o.get("testable"))
        m[f"resOverlapExcess{name}"] = tex(o.get("excess_equal_k_median"))
        m[f"resGeneraliseCount{name}"] = tex(g.get("category_information"))
        m[f"resGeneraliseTotal{name}"] = tex(g.get("combinations"))
        m[f"resGeneraliseWelchCount{name}"] = tex(g.get("welch_significant"))
        m[f"resGeneraliseEffect{name}"] = tex(g.get("effect_size_median"), 1)
        m[f"resGeneraliseEffectMin{name}"] = tex(g.get("effect_size_min"), 1)
        m[f"resGeneraliseEffectMax{name}"] = tex(g.get("effect_size_max"), 1)
        m[f"resOverlapRanked{name}"] = tex(o.get("with_top_k"))
        m[f"resOverlapAboveChance{name}"] = tex(o.get("above_chance"))
        m[f"resOverlapRatio{name}"] = tex(o.get("ratio_top_k_pooled"), 1)
        m[f"resOverlapNFloc{name}"] = tex(o.get("n_floc_mean"), 0)
        m[f"resOverlapNFlocMatched{name}"] = tex(o.get("n_floc_matched_mean"), 0)
        m[f"resOverlapNLocalizerTwo{name}"] = tex(o.get("n_localizer2_mean"), 0)
    return m


def _validation_macros(v: dict) -> dict[str, str]:
    """The simulated worlds' numbers (results/validation): per measure of the null world the
    estimator's mean (its bias), the bias-corrected mean, the SD of the corrected gap against
    the mean corrected and plain bootstrap SEs, the share of intervals excluding 0, the paper's
    per-pair estimator, the correlation distance and the paper's method; of the planted world
    the population gap, the corrected mean, coverage and power; the controls' verdicts."""
    m: dict[str, str] = {}
    for measure, short in MEASURES.items():
        n = v.get("null", {}).get(measure, {})
        base = f"resVal{short}"
        m[f"{base}Worlds"] = tex(n.get("worlds"))
        for key, name, digits in (("estimate_mean", "Raw", 3), ("estimate_se", "RawSE", 3),
                                  ("corrected_mean", "Corrected", 3),
                                  ("corrected_se", "CorrectedSE", 3),
                                  ("sd_corrected", "SD", 3), ("se_mean", "SE", 3),
                                  ("se_naive_mean", "SENaive", 3),
                                  ("per_pair_mean", "PerPair", 3),
                                  ("per_pair_se", "PerPairSE", 3),
                                  ("correlation_distance_mean", "CorrDist", 3),
                                  ("correlation_distance_se", "CorrDistSE", 3),
                                  ("paper_method_mean", "Paper", 3),
                                  ("paper_method_se", "PaperSE", 3)):
            m[f"{base}{name}"] = tex(n.get(key), digits)
        m[f"{base}Excl"] = tex(100 * n["excludes_zero"] if "excludes_zero" in n else None, 1)
        p = v.get("planted", {}).get(measure, {})
        m[f"{base}PlantedWorlds"] = tex(p.get("worlds"))
        m[f"{base}PlantedGap"] = tex(p.get("population_gap"))
        m[f"{base}PlantedRaw"] = tex(p.get("estimate_mean"))
        m[f"{base}PlantedCorrected"] = tex(p.get("corrected_mean"))
        m[f"{base}PlantedCoverage"] = tex(100 * p["coverage"] if "coverage" in p else None, 0)
        m[f"{base}PlantedPower"] = tex(100 * p["power"] if "power" in p else None, 0)
        for dist, dshort in (("crossval_euclidean", "Cv"), ("correlation", "Corr")):
            c = v.get("controls", {}).get(f"{dist}/positive_control/{measure}", {})
            m[f"{base}Positive{dshort}Gap"] = tex(c.get("gap_mean"))
            for verdict in ("pass", "fail", "inconclusive"):
                m[f"{base}Positive{dshort}{verdict.capitalize()}"] = tex(c.get(verdict))
            m[f"{base}Positive{dshort}Worlds"] = tex(c.get("worlds"))
    return m


def _pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage for running text ('n/a' when missing)."""
    return tex(100 * x if x is not None else None, digits)


#: Finding 1's comparative statistics and Finding 5's parts -> macro suffix.
LOC_STATS = {"generalisation": "Gen", "overlap": "Overlap"}
DIV_PARTS = {"held_out": "HeldOut", "held_out_models": "HeldOutModels",
             "same_images": "SameImages", "same_subjects_images": "SameSubjectsImages"}


def _test_world_macros(v: dict) -> dict[str, str]:
    """The simulated worlds of Finding 1's comparative test and Finding 5's generalisation
    (results/validation/summary.json, "localizer" and "divergence"; rates in percent). Localizer
    (null: only a low-level face feature shared by both image sets): how often the per-network
    permutation test called an untrained network's selection generalising; how often the
    'trained' network was called beyond two (Two) or four (Four) untrained seeds, and with four
    the range over all networks (Low, High) and the rate over all (All); the same with planted
    category information (power); the bootstrap / realisation SD ratios. Divergence: how often
    the hypothesis found on discovery replicated on each part (null), the crossed test's and the
    subjects-only test's null rates, and in planted worlds how often the difference was found
    and replicated."""
    loc, div = v.get("localizer", {}), v.get("divergence", {})
    design = loc.get("design", {})
    m = {"resValLocWorlds": tex(loc.get("worlds")), "resValLocUnits": tex(design.get("n_units")),
         "resValLocPlantedUnits": tex(design.get("planted_units")),
         "resValLocPermFired": _pct(loc.get("permutation_fired"), 0)}
    for seeds, word in (("2", "Two"), ("4", "Four")):
        null = loc.get("null", {}).get(seeds, {})
        planted = loc.get("planted", {}).get(seeds, {})
        for stat, short in LOC_STATS.items():
            m[f"resValLoc{word}{short}"] = _pct(null.get(stat))
            m[f"resValLocPlanted{word}{short}"] = _pct(planted.get(stat), 0)
            if word == "Four":
                for key, end in (("min", "Low"), ("max", "High"), ("all", "All")):
                    m[f"resValLocFour{short}{end}"] = _pct(null.get(f"{stat}_{key}"))
    boot = loc.get("bootstrap", {})
    m["resValLocBootNetworks"] = tex(boot.get("network_draws"))
    m["resValLocBootRealisations"] = tex(boot.get("realisations"))
    for stat, short in LOC_STATS.items():
        m[f"resValLocBootRatio{short}"] = tex(boot.get(f"sd_ratio_{stat}"))
    null, planted = div.get("null", {}), div.get("planted", {})
    m["resValDivWorlds"] = tex(null.get("worlds"))
    m["resValDivHeldOutMax"] = _pct(null.get("held_out_max"))
    m["resValDivCrossed"] = _pct(null.get("crossed"))
    m["resValDivSubjectsOnly"] = _pct(null.get("subjects_only"), 0)
    m["resValDivPlantedWorlds"] = tex(planted.get("worlds"))
    m["resValDivPlantedFound"] = _pct(planted.get("found"), 0)
    for key, short in DIV_PARTS.items():
        m[f"resValDiv{short}"] = _pct(null.get("replicated", {}).get(key))
    for key in ("held_out", "held_out_models"):  # the pipeline's held-out parts
        m[f"resValDivPlanted{DIV_PARTS[key]}"] = _pct(planted.get("replicated", {}).get(key), 0)
    return m


def exclusions_sentence(excluded: dict[str, list[str]]) -> str:
    """The comparison's exclusions in words: every reason with what it left out, or that
    nothing was left out."""
    if not excluded:
        return ("Every compared region had at least two subjects with 3 or more selected "
                "voxels, and every network group a network with 3 or more selected units, so "
                "no value is missing.")
    parts = [f"{', '.join(what)} ({reason})" for reason, what in excluded.items()]
    return tex_text("At this threshold these have no value (n/a in the tables and text): "
                    + "; ".join(parts) + ".").replace(">=", r"$\geq$")


def trained_phrases(n: int) -> dict[str, str]:
    """The words for the trained networks that agree with their number: the subject of a
    sentence (resTrainedNetworks) and what the pooled comparison covers (resTrainedPooledClause,
    after "reported for each network")."""
    if n == 0:
        return {"resTrainedNetworks": "no trained network",
                "resTrainedPooledClause": "(no trained network ran, so nothing is pooled)"}
    if n == 1:
        return {"resTrainedNetworks": "the trained network",
                "resTrainedPooledClause": "(with one trained network there is nothing to pool)"}
    return {"resTrainedNetworks": "the trained networks",
            "resTrainedPooledClause": f"and for the {n} trained networks pooled (models weighted "
                                      "equally, and a random effect in the interval)"}


def _p_floor(n_boot: int | None) -> float | None:
    """The smallest p a bootstrap of ``n_boot`` replicates can give, 2 / (B + 1)."""
    return 2 / (n_boot + 1) if n_boot else None


def macros(r: dict, regions: list[str], categories: list[str]) -> dict[str, str]:
    """Macro name (without backslash) -> LaTeX text.

    regions: every region the manuscript may name (those not run read 'n/a');
    categories: the compared categories."""
    m = {"resTier": tex_text(r["tier"]), "resThreshold": tex(r["threshold"], 0),
         "resNSubjects": tex(r["n_subjects"]), "resNSharedImages": tex(r["n_shared_images"]),
         "resNModelsTrained": tex(r["n_models_trained"]),
         **trained_phrases(int(r["n_models_trained"])),
         "resNModelsUntrained": tex(r["n_models_untrained"]),
         "resCILevel": tex(100 * r["ci_level"], 0), "resNBoot": tex(r["n_boot"]),
         "resRdmDistance": RDM_DISTANCE_TEXT[r["rdm_distance"]],
         "resEquivalenceMargin": tex(r["equivalence"]["margin"]),
         "resEquivalenceLevel": tex(100 * r["equivalence"]["level"], 0),
         "resEquivalenceAlpha": tex(50 * (1 - r["equivalence"]["level"]), 0),
         "resReliabilityProfiles": tex(r["reliability"]["profiles"]),
         "resDataNote": ("synthetic (demo) brain data: the numbers below test the pipeline, "
                         "they are not findings about the brain"
                         if r["synthetic_brain_data"] else "the Natural Scenes Dataset")}
    m["resExclusions"] = exclusions_sentence(r["comparison_excluded"])
    for measure, short in MEASURES.items():
        rel = r["reliability"][measure]
        m[f"resRel{short}Min"], m[f"resRel{short}Max"] = tex(rel["min"]), tex(rel["max"])
        m[f"resRel{short}Low"] = tex(rel["below_0_1"] + rel["undefined"])
    for roi in regions:
        m[f"res{macro_name(roi)}NVoxels"] = tex(r["selected_voxels_mean"].get(roi), 1)
        for measure, short in MEASURES.items():
            c = r["comparison"].get(f"{roi}_{measure}_published", {})
            cv = r["comparison"].get(f"{roi}_{measure}_cv", {})
            base = f"res{macro_name(roi)}{short}"
            m[f"{base}HH"] = tex(c.get("hh"))
            m[f"{base}HN"] = tex(c.get("hn"))
            m[f"{base}Gap"] = tex(c.get("gap"))
            m[f"{base}GapLow"] = tex(c.get("gap_ci_low"))
            m[f"{base}GapHigh"] = tex(c.get("gap_ci_high"))
            m[f"{base}P"] = tex_p_relation(c.get("p"), _p_floor(c.get("n_boot")))
            m[f"{base}Bias"] = tex(c.get("bias"), 3)
            m[f"{base}GapUncorrected"] = tex(c.get("gap_uncorrected"))
            m[f"{base}GapSE"] = tex(c.get("gap_se"), 3)
            m[f"{base}GapSENaive"] = tex(c.get("gap_se_naive"), 3)
            m[f"{base}CvHN"] = tex(cv.get("hn"))
            paper = r["comparison_paper_distance"].get(f"{roi}_{measure}_{POOLED_TRAINED}")
            if measure == "multivariate":
                paper = paper or {}
                m[f"{base}HHPaperDistance"] = tex(paper.get("hh"))
                m[f"{base}HNPaperDistance"] = tex(paper.get("hn"))
                m[f"{base}GapPaperDistance"] = tex(paper.get("gap"))
                m[f"{base}PaperDistanceLeftOut"] = tex(
                    len(paper["subjects_without_reliability"]) if paper else None)
                m[f"{base}PositiveGapPaperDistance"] = tex(paper.get("positive_control_gap"))
                m[f"{base}PositiveVerdictPaperDistance"] = tex_text(
                    paper.get("positive_control_verdict", "n/a"))
            ctl = r.get("controls", {})
            pos = ctl.get(f"{roi}_{measure}_positive_control", {})
            neg = ctl.get(f"{roi}_{measure}_negative_control", {})
            m[f"{base}PositiveHN"] = tex(pos.get("hn"))
            m[f"{base}PositiveGap"] = tex(pos.get("gap"))
            m[f"{base}PositiveBias"] = tex(pos.get("bias"), 3)
            m[f"{base}PositiveGapLow"] = tex(pos.get("gap_eq_low"))
            m[f"{base}PositiveGapHigh"] = tex(pos.get("gap_eq_high"))
            m[f"{base}PositiveVerdict"] = tex_text(pos.get("verdict", "n/a"))
            m[f"{base}NegativeHN"] = tex(neg.get("hn"))
            m[f"{base}NegativeHNLow"] = tex(neg.get("hn_eq_low"))
            m[f"{base}NegativeHNHigh"] = tex(neg.get("hn_eq_high"))
            m[f"{base}NegativeVerdict"] = tex_text(neg.get("verdict", "n/a"))
            u = r["comparison_networks"].get(f"{roi}_{measure}_{POOLED_UNTRAINED}", {})
            m[f"{base}HNUntrained"] = tex(u.get("hn"))
            m[f"{base}GapUntrained"] = tex(u.get("gap"))
    u = r["units"]
    for kind in ("trained", "untrained"):
        pct = u.get(f"pct_selected_last_layer_{kind}", {})
        for cat in categories:
            m[f"resPct{macro_name(cat).capitalize()}{kind.capitalize()}"] = tex(pct.get(cat), 1)
    m.update(_localizer_macros(u, categories))
    met = r["metrics"]
    cons = met.get("mean_inter_metric_spearman_units", {})
    m["resConsistencyTrained"] = tex(_mean(cons, "trained/"))
    m["resConsistencyUntrained"] = tex(_mean(cons, "untrained/"))
    m.update(_floor_macros(met.get("null_floor", {})))
    m.update(_criteria_macros(met.get("criteria", {})))
    lesion_model = next(iter(r["lesion"]["intact_accuracy"]), "")
    for key, short in METRICS.items():
        m[f"resLesionRho{short}"] = tex(met.get("metric_lesion_spearman", {}).get(
            f"{lesion_model}/{key}"))
        m[f"resDecoding{short}"] = tex(met.get("decoding_accuracy", {}).get(
            f"{lesion_model}/{key}"))
    m["resIntactIdentityAccuracy"] = tex(next(iter(r["lesion"]["intact_accuracy"].values()),
                                              None))
    m["resLesionSilencing"] = SILENCING.get(r["lesion"].get("silencing", {}).get(lesion_model),
                                            "n/a")
    m.update(_validation_macros(r.get("validation", {})))
    m.update(_test_world_macros(r.get("validation", {})))
    m.update(_design_macros(r.get("validation", {})))
    rob = r["robustness"]
    m["resRobustSettings"] = tex(rob.get("settings_with_both"))
    m["resRobustPositivePct"] = tex(100 * rob["gap_positive_fraction"]
                                    if rob.get("gap_positive_fraction") is not None else None, 0)
    m["resRobustAbovePct"] = tex(100 * rob["gap_above_zero_fraction"]
                                 if rob.get("gap_above_zero_fraction") is not None else None, 0)
    m["resRobustGapMin"] = tex(rob.get("gap_min"))
    m["resRobustGapMax"] = tex(rob.get("gap_max"))
    rsa = r["rsa92"]
    m["resRsaHH"] = tex(rsa.get("hh_mean_corrected"))
    m["resRsaHumanSubjects"] = tex(len(rsa.get("human_reliability", {})) or None)
    m["resRsaHHLow"], m["resRsaHHHigh"] = (tex(v) for v in rsa.get("hh_range", [None, None]))
    for key, short in (("prespecified_mean", "Pre"), ("crossval_mean", "Cv")):
        for group in ("trained", "untrained"):
            for units in ("all", "selected"):
                m[f"resRsa{short}{units.capitalize()}{group.capitalize()}"] = tex(
                    rsa.get(key, {}).get(group, {}).get(units))
    for group in ("trained", "untrained"):
        same, total = rsa.get("crossval_same_layer", {}).get(group, [None, None])
        m[f"resRsaCvSameLayer{group.capitalize()}"] = tex(same)
        m[f"resRsaCvChoices{group.capitalize()}"] = tex(total)
    for key, short in (("human_reliability", ""), ("human_session_reliability", "Session")):
        rel = list(rsa.get(key, {}).values())
        m[f"resRsa{short}RelMin"] = tex(min(rel) if rel else None)
        m[f"resRsa{short}RelMax"] = tex(max(rel) if rel else None)
    return m


def annotation_macros(ann: dict) -> dict[str, str]:
    """The annotation counts (the annotate stage's summary): images annotated and where the
    labels come from."""
    return {"resAnnImages": tex(ann.get("n_images")),
            "resAnnOrigin": tex_text(ann.get("origin", "n/a"))}


def published_macros(published: dict) -> dict[str, str]:
    """Macros of published numbers the text compares with (data/published_reference.yaml)."""
    return {"resPublishedFsiLesionR": tex(published["lado_dobs"]["fsi_lesion_r"])}


def verdict_macros(results: dict, main_regions: list[str], categories: list[str]
                   ) -> dict[str, str]:
    """The sentences that state what the results mean (analysis.report.verdicts): the ceiling
    (Finding 3), the subjects' agreement (Finding 2), beyond untrained networks (Finding 1),
    the planted truth recovered (Supplementary validation)."""
    n = int(results.get("n_models_trained") or 0)
    networks = trained_phrases(n)["resTrainedNetworks"]
    comparison = results.get("comparison", {})
    return {"resCeilingSentence": ceiling_sentence(comparison, main_regions,
                                                   f"{100 * results['ci_level']:g}", networks, n),
            "resConsistencySentence": consistency_sentence(comparison, main_regions),
            "resUntrainedSentence": untrained_sentence(
                results.get("units", {}).get("generalises_last_layer", {}), categories,
                networks, n),
            "resPlantedSentence": planted_sentence(results.get("planted_truth", {}),
                                                   f"{100 * results['ci_level']:g}")}


def all_macros(results: dict, regions: list[str], categories: list[str], published: dict,
               main_regions: list[str] | None = None) -> dict[str, str]:
    """Every macro the manuscript may use: the results', the published numbers', the
    annotation counts, the verdicts on the main regions (analysis.report.verdicts; none
    given: none comparable) and each registered analysis's (analysis.registry), 'n/a' where a
    stage did not run. An analysis's macro named like another raises RuntimeError naming
    both."""
    numbers = {**macros(results, regions, categories), **published_macros(published),
               **annotation_macros(results.get("annotations", {})),
               **verdict_macros(results, list(main_regions or []), list(categories))}
    context = registry.MacroContext(regions, list(categories))
    for analysis in registry.analyses():
        own = analysis.macros(results.get(analysis.name, {}), context)
        twice = sorted(set(own) & set(numbers))
        if twice:
            raise RuntimeError(f"analysis/analyses/{analysis.name}: macros {twice} are already "
                               "defined: give them names of their own")
        numbers |= own
    return numbers


def manuscript_macros(params: config.Params, results: dict, published: dict) -> dict[str, str]:
    """The macros of the manuscript's numbers.tex (:func:`all_macros` for the compared
    regions, categories and main regions of ``params``), with its title and author line
    (``manuscript`` block) and the zoo's counts (:mod:`analysis.report.zoo_status`)."""
    regions = [r for r, d in params.roi_definitions.items() if d.contrast in params.categories]
    main = [r for c in params.categories if (r := params.main_region(c)) is not None]
    return {**all_macros(results, regions, params.categories, published, main),
            **zoo_macros(zoo_status(params.zoo, params.models)),
            "resTitle": params.manuscript.title, "resAuthors": params.manuscript.authors}


def numbers_tex(m: dict[str, str]) -> str:
    lines = ["% Generated by `python -m analysis macros` from results/results.json. Do not edit."]
    lines += [f"\\newcommand{{\\{k}}}{{{v}}}" for k, v in sorted(m.items())]
    return "\n".join(lines) + "\n"


def reproduction_table(table: pd.DataFrame, comparable: bool) -> str:
    """booktabs table: compendium vs published human-human similarity."""
    rows = [r"\begin{tabular}{lllrrr}", r"\toprule",
            r"Region & Measure & $t$ & Compendium & Published & Difference \\", r"\midrule"]
    for r in table.itertuples():
        rows.append(f"{r.roi} & {r.measure} & {tex(int(r.threshold))} & {tex(r.compendium)} & "
                    f"{tex(r.published)} & {tex(r.difference)} \\\\")
    rows += [r"\bottomrule", r"\end{tabular}"]
    note = "" if comparable else ("% Not comparable: this run used synthetic brain data.\n")
    return ("% Generated by `python -m analysis macros`. Do not edit.\n" + note
            + "\n".join(rows) + "\n")


def comparison_table(stats: pd.DataFrame) -> str:
    """booktabs table per region and network group (each model, trained pooled, untrained
    pooled; published layers), univariate and multivariate: bias-corrected HH, then HN and the
    gap with its interval and the gap's estimated bias."""
    s = stats[stats["layer_choice"] == "published"].set_index(["roi", "networks", "measure"])
    rows = [r"\begin{tabular}{llrrr@{\hspace{1.5em}}rrr}", r"\toprule",
            r"& & \multicolumn{3}{c}{univariate} & \multicolumn{3}{c}{multivariate} \\",
            r"\cmidrule(lr){3-5}\cmidrule(lr){6-8}",
            r"Region & Networks & HN & HH$-$HN [CI] & bias & HN & HH$-$HN [CI] & bias \\",
            r"\midrule"]
    for roi in dict.fromkeys(s.index.get_level_values("roi")):
        hh = [tex(s.xs((roi, m), level=("roi", "measure"))["hh_estimate_corrected"].iloc[0])
              for m in MEASURES]  # the same for every network group
        rows.append(f"{roi} & human-human & {hh[0]} & & & {hh[1]} & & \\\\")
        for networks in dict.fromkeys(s.loc[roi].index.get_level_values("networks")):
            cells = []
            for m in MEASURES:
                x = s.loc[(roi, networks, m)]
                cells.append(f"{tex(x['hn_estimate_corrected'])} & "
                             f"{tex(x['gap_estimate_corrected'])} "
                             f"[{tex(x['gap_ci_low'])}, {tex(x['gap_ci_high'])}] & "
                             f"{tex(x['gap_bias'], 3)}")
            rows.append(f" & {_networks_label(networks)} & {cells[0]} & {cells[1]} \\\\")
        rows.append(r"\addlinespace")
    rows += [r"\bottomrule", r"\end{tabular}"]
    return "% Generated by `python -m analysis macros`. Do not edit.\n" + "\n".join(rows) + "\n"


def _networks_label(networks: str) -> str:
    return {POOLED_TRAINED: "trained, pooled", POOLED_UNTRAINED: "untrained, pooled"}.get(
        networks, tex_text(networks))


#: The planted-truth table's rows per region: quantity, detail -> its label.
PLANTED_LABELS = {("region_size", ""): "voxels: region / selected",
                  ("selected_in_region", ""): "selected voxels in region",
                  ("ncsnr", ""): "ncsnr",
                  ("human_human", "univariate"): "HH similarity, univariate",
                  ("human_human", "multivariate"): "HH similarity, multivariate"}


def planted_truth_table(planted: dict, main_regions: list[str]) -> str:
    """booktabs table of results.json's ``planted_truth`` for the main regions: per quantity
    the planted value, the recovered one and its interval (brackets) or range over subjects
    (parentheses), and whether the interval holds the planted value; one line saying why when
    the tier plants nothing."""
    head = [r"\begin{tabular}{llrrcc}", r"\toprule",
            r"Region & Quantity & Planted & Recovered & Interval & Holds \\",
            r"\midrule"]
    rows = [r for r in planted.get("rows", []) if r["region"] in main_regions]
    body = []
    if not planted.get("available") or not rows:
        body.append(r"\multicolumn{6}{l}{No planted truth: this tier's brain data are real.} \\")
    for region in main_regions:
        first = True
        for r in (r for r in rows if r["region"] == region):
            key = (r["quantity"], r["detail"] if r["quantity"] == "human_human" else "")
            label = PLANTED_LABELS.get(key) or (
                "contrast " + tex_text(r["detail"].replace("_", " ").replace(" - ", " minus ")))
            digits = 1 if r["quantity"] == "region_size" else 2
            ends = 0 if r["quantity"] == "region_size" else 2  # voxel counts
            low, high = tex(r["low"], ends), tex(r["high"], ends)
            spread = f"[{low}, {high}]" if r["interval"] == "ci" else f"({low}--{high})"
            holds = {True: "yes", False: "no"}.get(r["inside"], "")
            planted_cell = "--" if r["planted"] is None else tex(r["planted"], digits)
            body.append(f"{region if first else ''} & {label} & {planted_cell} & "
                        f"{tex(r['recovered'], digits)} & {spread} & {holds} \\\\")
            first = False
        if not first:
            body.append(r"\addlinespace")
    return ("% Generated by `python -m analysis macros`. Do not edit.\n"
            + "\n".join(head + body + [r"\bottomrule", r"\end{tabular}"]) + "\n")
