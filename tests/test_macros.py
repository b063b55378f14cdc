"""Macros: one \\newcommand per value, formatted from the results file; tables generated."""

import pandas as pd

from analysis.report.format import p_value, tex, tex_p_relation
from analysis.report.macros import (
    comparison_table,
    macros,
    numbers_tex,
    reproduction_table,
)
from analysis.report.reproduction import reproduction

ROIS = ["FFA", "EBA", "PPA", "OFA", "FBA", "OPA"]
RESULTS = {
    "tier": "demo", "synthetic_brain_data": True, "threshold": 7, "n_subjects": 8,
    "ci_level": 0.95, "n_boot": 2000, "rdm_distance": "crossval_euclidean",
    "equivalence": {"margin": 0.05, "level": 0.9},
    "reliability": {"univariate": {"min": 0.31, "max": 0.93, "below_0_1": 0, "undefined": 0},
                    "multivariate": {"min": -0.04, "max": 0.81, "below_0_1": 2,
                                     "undefined": 1},
                    "profiles": 48},
    "n_shared_images": 98, "n_models_trained": 1, "n_models_untrained": 2,
    "comparison_excluded": {"no network of the group has >= 3 selected units here":
                            ["effnet_lite0_random2 in EBA", "pooled_untrained in EBA"]},
    "selected_voxels_mean": {r: 40.5 for r in ROIS},
    "units": {"pct_selected_last_layer_trained": {"faces": 25.27, "bodies": 14.9, "places": 14.7},
              "pct_selected_last_layer_untrained": {"faces": 1.5, "bodies": 0.3, "places": 2.7},
              "generalises_last_layer": {"m/faces": {"generalises": True},
                                         "m/bodies": {"generalises": False}}},
    "metrics": {"mean_inter_metric_spearman_units": {"trained/b5": 0.8, "trained/b6": 0.9,
                                                     "untrained/b5": 0.7},
                "metric_lesion_spearman": {"m/fsi": 0.12, "m/dprime": 0.1, "m/ranksum": 0.1,
                                           "m/pairwise_t": 0.09},
                "decoding_accuracy": {"m/fsi": 0.5, "m/dprime": 0.5, "m/ranksum": 0.5,
                                      "m/pairwise_t": 0.6}},
    "lesion": {"intact_accuracy": {"m": 0.93}},
    "comparison": {f"{r}_{ms}_{c}": {"hh": 0.98, "hn": 0.6, "gap": 0.38, "gap_ci_low": 0.3,
                                     "gap_ci_high": 0.45,
                                     "p": "9.995e-04" if r == "FFA" else "2.999e-03",
                                     "n_boot": 2000, "bias": 0.012, "gap_uncorrected": 0.392,
                                     "gap_se": 0.021, "gap_se_naive": 0.043}
                   for r in ROIS for ms in ("univariate", "multivariate")
                   for c in ("published", "cv")},
    "comparison_networks": {f"{r}_{ms}_{n}": {"hh": 0.98, "hn": 0.3 if n == "pooled_untrained"
                                              else 0.6, "gap": 0.68}
                            for r in ROIS for ms in ("univariate", "multivariate")
                            for n in ("m", "pooled_trained", "pooled_untrained")},
    "comparison_paper_distance": {"FFA_multivariate_pooled_trained": {
        "hh": 0.9, "hn": 0.1, "gap": 0.8, "subjects_without_reliability": [3, 7],
        "positive_control_gap": 0.21, "positive_control_verdict": "fail"}},
    "controls": {"FFA_univariate_positive_control": {
                     "hn": 0.99, "gap": -0.004, "bias": 0.0012, "gap_ci_low": -0.012,
                     "gap_ci_high": 0.005, "gap_eq_low": -0.01, "gap_eq_high": 0.003,
                     "margin": 0.05, "verdict": "pass"},
                 "FFA_univariate_negative_control": {"hn": 0.02, "hn_eq_low": -0.1,
                                                     "hn_eq_high": 0.12, "verdict": "pass"},
                 "not_run": {}},
    "validation": {"null": {"univariate": {"worlds": 100, "estimate_mean": 0.0102,
                                           "corrected_mean": 0.0011, "excludes_zero": 0.05}},
                   "controls": {"correlation/positive_control/multivariate": {
                       "worlds": 4, "gap_mean": 0.25, "pass": 0, "fail": 4,
                       "inconclusive": 0}}},
    "robustness": {"settings_with_both": 116, "gap_positive_fraction": 0.98, "gap_min": -0.01,
                   "gap_max": 0.9},
    "rsa92": {"hh_mean_corrected": 0.887, "hh_range": [0.74, 1.17],
              "prespecified_mean": {"trained": {"all": 0.44, "selected": 0.33},
                                    "untrained": {"all": 0.17, "selected": 0.07}},
              "crossval_mean": {"trained": {"all": 0.5, "selected": 0.41},
                                "untrained": {"all": 0.15, "selected": 0.1}},
              "crossval_same_layer": {"trained": [4, 4], "untrained": [3, 8]},
              "human_reliability": {"BE": 0.45, "KO": 0.18}},
}


CATEGORIES = ["faces", "bodies", "places"]


def test_formatting():
    assert tex(0.98765) == "0.99" and tex(25.27, 1) == "25.3" and tex(None) == "n/a"
    assert tex("9.950e-03") == "0.010" and tex("1.2e-05") == "$1.2\\times10^{-5}$"
    assert tex(7) == "7" and tex(float("nan")) == "n/a"
    assert tex(-0.153) == r"\ensuremath{-}0.15" and tex(-3) == r"\ensuremath{-}3"
    assert tex(-0.004) == "0.00"  # no "-0.00"
    assert p_value(2.3456e-7) == "2.346e-07" and p_value(float("nan")) is None
    assert tex(p_value(0.5)) == "0.500"
    # a bootstrap p at its floor 2/(B+1) is an upper bound
    assert tex_p_relation(p_value(2 / 201), 2 / 201) == "$\\leq$ 0.010"
    assert tex_p_relation(p_value(6 / 201), 2 / 201) == "$=$ 0.030"
    assert tex_p_relation(None, 2 / 201) == "n/a"


def test_one_newcommand_per_value_with_letter_only_names():
    m = macros(RESULTS, ROIS + ["RSC"], CATEGORIES)
    tex = numbers_tex(m)
    assert tex.count("\\newcommand") == len(m)
    assert all(k.isalpha() and k.startswith("res") for k in m)
    assert m["resFFAUniHH"] == "0.98" and m["resPctFacesTrained"] == "25.3"
    assert m["resFFAUniHN"] == "0.60" and m["resFFAUniHNUntrained"] == "0.30"
    assert m["resFFAMultiGapPaperDistance"] == "0.80" and m["resEBAMultiGapPaperDistance"] == "n/a"
    assert m["resFFAUniPositiveGap"] == "0.00" and m["resFFAUniNegativeHN"] == "0.02"
    assert m["resFFAUniPositiveGapLow"] == r"\ensuremath{-}0.01"
    assert m["resFFAUniPositiveGapHigh"] == "0.00"
    assert m["resFFAUniPositiveVerdict"] == "pass" and m["resFFAUniNegativeVerdict"] == "pass"
    assert m["resFFAUniPositiveBias"] == "0.001" and m["resFFAUniNegativeHNHigh"] == "0.12"
    assert m["resEBAUniPositiveGap"] == "n/a" and m["resEBAUniPositiveVerdict"] == "n/a"
    assert m["resFFAMultiPaperDistanceLeftOut"] == "2"
    assert m["resEBAMultiPaperDistanceLeftOut"] == "n/a"
    assert m["resFFAMultiPositiveGapPaperDistance"] == "0.21"
    assert m["resFFAMultiPositiveVerdictPaperDistance"] == "fail"
    assert m["resNBoot"] == "2000" and m["resCILevel"] == "95"
    assert m["resExclusions"] == (
        "At this threshold these have no value (n/a in the tables and text): "
        "effnet\\_lite0\\_random2 in EBA, pooled\\_untrained in EBA (no network of the group "
        "has $\\geq$ 3 selected units here).")
    assert m["resEquivalenceMargin"] == "0.05" and m["resEquivalenceLevel"] == "90"
    assert m["resRelMultiMin"] == r"\ensuremath{-}0.04"
    assert m["resRelMultiLow"] == "3"  # 2 below 0.1, 1 NaN
    assert m["resRelUniLow"] == "0" and m["resReliabilityProfiles"] == "48"
    # the gap: bias-corrected value, its bias, SEs and p (at its floor 2 / 2001: an upper bound)
    assert m["resFFAUniGap"] == "0.38" and m["resFFAUniGapUncorrected"] == "0.39"
    assert m["resFFAUniBias"] == "0.012" and m["resFFAUniGapSE"] == "0.021"
    assert m["resFFAUniGapSENaive"] == "0.043"
    assert m["resFFAUniP"] == "$\\leq$ $1.0\\times10^{-3}$"
    assert m["resEBAUniP"] == "$=$ 0.003" and m["resRSCUniP"] == "n/a"
    assert m["resValUniRaw"] == "0.010" and m["resValUniExcl"] == "5.0"
    assert m["resValMultiPositiveCorrFail"] == "4" and m["resValMultiWorlds"] == "n/a"
    assert m["resRdmDistance"] == "the cross-validated squared Euclidean distance"
    assert m["resRsaPreAllTrained"] == "0.44" and m["resRsaCvSelectedUntrained"] == "0.10"
    assert m["resRsaCvSameLayerTrained"] == "4" and "resRsaBestNetwork" not in m
    assert m["resConsistencyTrained"] == "0.85"
    assert "resGeneraliseCount" not in m  # trained and untrained are never counted together
    assert "not findings" in m["resDataNote"]
    assert m["resRSCUniHH"] == "n/a"  # a region that was not run reads n/a


def test_tables():
    stats = pd.DataFrame([{"roi": "FFA", "measure": m, "layer_choice": lc, "networks": n,
                           "hh_mean": 0.99, "hn_mean": hn + 0.01, "gap": 0.98 - hn,
                           "hh_estimate_corrected": 0.98, "hn_estimate_corrected": hn,
                           "gap_estimate_corrected": 0.98 - hn, "gap_ci_low": 0.3,
                           "gap_ci_high": 0.45, "gap_bias": 0.0123, "gap_p": 0.00995}
                          for n, hn in (("effnet_lite0", 0.6), ("pooled_trained", 0.6),
                                        ("pooled_untrained", 0.2))
                          for m in ("univariate", "multivariate")
                          for lc in ("published", "cv")])
    t = comparison_table(stats)
    assert "\\toprule" in t and "FFA & human-human & 0.98 & & & 0.98 & & \\\\" in t
    assert (" & effnet\\_lite0 & 0.60 & 0.38 [0.30, 0.45] & 0.012 & 0.60 & 0.38 [0.30, 0.45]"
            " & 0.012 \\\\") in t
    assert " & untrained, pooled & 0.20 & 0.78 [0.30, 0.45] & 0.012" in t
    assert t.count("effnet") == 1  # published layers only
    robust = pd.DataFrame([{"threshold": 7.0, "roi": "FFA", "localizer": "floc",
                            "measure": "univariate", "hh": 0.95}])
    rep = reproduction(robust, {"human_human": {"univariate": {"FFA": {7: 0.976}}}})
    assert rep.iloc[0]["difference"] == 0.95 - 0.976
    tex = reproduction_table(rep, comparable=False)
    assert "Not comparable" in tex
    assert "FFA & univariate & 7 & 0.95 & 0.98 & \\ensuremath{-}0.03 \\\\" in tex


def test_phrases_agree_with_the_number_of_trained_networks():
    from analysis.report.macros import trained_phrases
    assert trained_phrases(1)["resTrainedNetworks"] == "the trained network"
    assert "nothing to pool" in trained_phrases(1)["resTrainedPooledClause"]
    assert trained_phrases(3)["resTrainedPooledClause"].startswith(
        "and for the 3 trained networks pooled")
    assert trained_phrases(0)["resTrainedNetworks"] == "no trained network"


def test_an_untestable_friedman_test_and_held_out_part_are_said_in_words():
    from analysis.analyses.divergence.report import held_out_models_sentence
    from analysis.analyses.ood_decoding.report import friedman_clause
    assert friedman_clause({"chi2": None, "n_models": 1, "p": None}).startswith(
        "not testable over the trained networks")
    assert friedman_clause({"chi2": 9.431, "n_models": 3, "p": "9.300e-02"}) == (
        "Friedman statistic 9.43, $p$ = 0.093 (3 trained networks as blocks)")
    none = {"resFFADivGenModels": "n/a", "resFFADivGenFoundModels": "n/a"}
    assert held_out_models_sentence(none, ["FFA"]).startswith("No trained model outside")
    some = {"resFFADivGenModels": "0.41", "resFFADivGenFoundModels": "n/a",
            "resEBADivGenModels": "n/a", "resEBADivGenFoundModels": "n/a"}
    sentence = held_out_models_sentence(some, ["FFA", "EBA"])
    assert "gave 0.41 (FFA) and the found hypotheses n/a (FFA)." in sentence
    assert "EBA" not in sentence
