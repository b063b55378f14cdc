"""select-units: the parameters of the baseline, overlap and comparative tests, the matching
of networks to untrained networks of their architecture, the summary's decisions (Finding 1:
beyond the matched untrained networks at equal k; beside it the per-network permutation tests;
trained and untrained apart) and the manuscript macros built from it."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.errors import ParameterError
from analysis.report.localizer_summary import summary
from analysis.report.macros import macros
from analysis.stats.localizer_comparative import compare_networks
from tests.test_config import RAW, _with
from tests.test_macros import CATEGORIES, RESULTS, ROIS

PARAMS = config.validate(RAW)
LAST = {m: PARAMS.zoo[m].layers_to_read()[-1] for m in PARAMS.models}
TRAINED = {m: PARAMS.zoo[m].trained for m in PARAMS.models}


@pytest.mark.parametrize("key, value, message", [
    ("unit_localizer.generalisation_draws", 0, "greater than 0"),
    ("unit_localizer.generalisation_draws", "many", "Input should be a valid integer"),
    ("unit_localizer.overlap_permutations", 2.5, "Input should be a valid integer"),
    ("unit_localizer.overlap_subsamples", 0, "greater than 0"),
    ("unit_localizer.overlap_alpha", 1.5, "less than 1"),
    ("unit_localizer.seed", "x", "unit_localizer.seed = 'x': Input should be a valid integer"),
    ("unit_localizer.generalisation_draws", 10,
     r"unit_localizer.generalisation_draws = 10: the smallest p it can give, 1/\(10 \+ 1\), "
     r"must be below unit_localizer.generalisation_alpha = 0.05"),
    ("unit_localizer.overlap_permutations", 19, "unit_localizer.overlap_permutations = 19"),
    ("unit_localizer.top_k", 0, "greater than 0"),
    ("unit_localizer.bootstrap_draws", 10, "greater than or equal to 20"),
])
def test_bad_baseline_parameters_name_the_key(key, value, message):
    with pytest.raises(ParameterError, match=message):
        config.validate(_with(key, value))


ARCH = {m: PARAMS.zoo[m].architecture() for m in PARAMS.models}


def test_networks_are_matched_by_architecture_and_preprocessing():
    z = PARAMS.zoo
    assert z["effnet_lite0"].architecture() == z["effnet_lite0_random1"].architecture()
    assert z["alexnetimagenet1kv1"].architecture() == z["alexnetrandom3"].architecture()
    assert z["vitb16siglip2res224"].architecture() == "vit_base_patch16_siglip_224|None"
    assert z["effnet_lite1"].architecture() != z["effnet_lite0"].architecture()


def test_compare_networks_uses_the_same_layer_and_category_of_the_other_seeds():
    """A trained network, three untrained seeds of its architecture and one untrained network
    of another: each row is compared with the untrained rows of its architecture, layer and
    category other than itself, with the paired replicates when given."""
    arch = {"a": "x", "u1": "x", "u2": "x", "u3": "x", "v": "y"}
    value = {"a": 20.0, "u1": 5.0, "u2": 6.0, "u3": 8.0, "v": 7.0}
    rows = [{"model": m, "trained": m == "a", "layer": lay, "category": cat,
             "t_equal_k": value[m] + (lay == "l2")} for m in arch for lay in ("l1", "l2")
            for cat in ("faces", "bodies")]
    table = pd.DataFrame(rows)
    rng = np.random.default_rng(0)
    reps = {(r["model"], r["layer"], r["category"]): r["t_equal_k"] + rng.normal(0, 0.5, 40)
            for r in rows}
    out = compare_networks(table, "t_equal_k", arch, 0.05, reps).set_index(
        ["model", "layer", "category"])
    a = out.loc["a", "l2", "faces"]
    assert a["n_untrained"] == 3 and a["difference"] == pytest.approx(20 - 19 / 3)
    assert a["se_images"] > 0 and a["beyond_untrained"] is True
    u1 = out.loc["u1", "l1", "bodies"]
    assert u1["n_untrained"] == 2 and u1["difference"] == pytest.approx(5 - 7)
    assert u1["beyond_untrained"] is False
    v = out.loc["v", "l1", "faces"]
    assert v["n_untrained"] == 0 and v["beyond_untrained"] is None
    seeds_only = compare_networks(table, "t_equal_k", arch, 0.05).set_index(
        ["model", "layer", "category"])
    assert np.isnan(seeds_only.loc["a", "l1", "faces"]["se_images"])


def _frames() -> dict[str, pd.DataFrame]:
    """Tables of the three demo models: every fLoc-selected set passes the Welch test; only
    the trained network's beat the permuted-label baseline and, at equal k, the untrained
    networks; one untrained localizer2 selects no unit (k = 0); rows of other layers and
    categories must be ignored. Compared as the stage does (compare_networks)."""
    counts, gen, venn = [], [], []
    reps = {}
    rng = np.random.default_rng(0)
    for i, (model, lay) in enumerate(LAST.items()):
        trained = TRAINED[model]
        for cat in [*CATEGORIES, "objects"]:
            for layer in (lay, "blocks.4"):
                key = {"model": model, "trained": trained, "layer": layer, "category": cat}
                counts.append({**key, "localizer": "floc", "pct_selected": 20.0 if trained
                               else 2.0})
                t_equal_k = 20.0 if trained else 5.0 + i
                reps[model, layer, cat] = t_equal_k + rng.normal(0, 1, 50)
                gen.append({**key, "n_units": 50, "t": 6.0, "p_welch": 1e-6,
                            "baseline_mean": 1.0, "baseline_sd": 1.0,
                            "effect_size": 9.0 if trained else 1.5,
                            "p_baseline_fixed_images": 1 / 301 if trained else 0.01,
                            "p_permuted_selection": 1 / 301 if trained else 0.2,
                            "t_equal_k": t_equal_k, "se_images_equal_k": 1.0})
                k = 0 if (not trained and cat == "faces") else 10
                venn.append({**key, "floc_only": 90, "both": 10, "localizer2_only": 5,
                             "n_floc_matched": 40.0, "both_matched": 8.0,
                             "expected_matched": 0.5, "k": k,
                             "both_top_k": 8.0 if k else np.nan,
                             "expected_top_k": 0.4 if k else np.nan,
                             "p_hypergeom_top_k": 1e-9 if k else np.nan,
                             "p_permutation_top_k": (1 / 301 if trained else 0.3) if k
                             else np.nan, "both_equal_k": 30.0, "expected_equal_k": 3.0,
                             "excess_equal_k": 0.3 if trained else 0.1 + 0.01 * i})
    return {"counts": pd.DataFrame(counts),
            "generalisation": compare_networks(pd.DataFrame(gen), "t_equal_k", ARCH, 0.05,
                                               reps),
            "venn": compare_networks(pd.DataFrame(venn), "excess_equal_k", ARCH, 0.05)}


def test_summary_decides_by_the_comparison_with_untrained_networks():
    out = summary(_frames(), PARAMS)
    json.dumps(out, allow_nan=False)  # a valid results file
    n_untrained = sum(not t for t in TRAINED.values())
    untrained = next(m for m, t in TRAINED.items() if not t)
    trained = next(m for m, t in TRAINED.items() if t)
    g = out["generalises_last_layer"]
    assert len(g) == len(PARAMS.models) * len(CATEGORIES)
    assert not g[f"{untrained}/faces"]["category_information"]  # Welch p = 1e-6 is not enough
    assert g[f"{untrained}/faces"]["p_welch"] == "1.000e-06"
    # two untrained seeds: the trained network is compared with both, an untrained one with
    # one other seed only, which leaves no spread to estimate (not testable)
    eq = g[f"{trained}/faces"]["equal_k"]
    assert eq["n_untrained"] == n_untrained and eq["beyond_untrained"] is True
    assert eq["difference"] == pytest.approx(20 - 6.5) and eq["ci_low"] > 0
    assert g[f"{untrained}/faces"]["equal_k"]["beyond_untrained"] is None
    u = out["generalisation_last_layer_untrained"]
    assert u["combinations"] == n_untrained * 3 and u["category_information"] == 0
    assert u["welch_significant"] == n_untrained * 3 and u["effect_size_median"] == 1.5
    assert (u["testable"], u["beyond_untrained"], u["difference_median"]) == (0, 0, None)
    t = out["generalisation_last_layer_trained"]
    assert (t["category_information"], t["testable"], t["beyond_untrained"]) == (3, 3, 3)
    assert t["difference_median"] == pytest.approx(13.5) and t["t_equal_k_median"] == 20
    o = out["overlap_last_layer_untrained"]
    assert (o["combinations"], o["with_top_k"]) == (n_untrained * 3, n_untrained * 2)
    assert o["above_chance"] == 0 and o["above_chance_hypergeom"] == n_untrained * 2
    assert o["ratio_top_k_pooled"] == pytest.approx(20.0)
    assert o["ratio_matched_pooled"] == pytest.approx(16.0)
    assert (o["n_floc_mean"], o["n_floc_matched_mean"], o["n_localizer2_mean"]) == (100, 40, 15)
    assert o["testable"] == 0 and o["excess_equal_k_median"] == pytest.approx(0.115)
    ot = out["overlap_last_layer_trained"]
    assert ot["above_chance"] == 3 and ot["testable"] == 3 and ot["beyond_untrained"] == 3
    assert out["overlap_last_layer"][f"{untrained}/faces"]["p_permutation_top_k"] is None
    assert out["overlap_last_layer"][f"{trained}/faces"]["equal_k"]["df"] == 1
    assert out["generalisation_draws"] == PARAMS.unit_localizer.generalisation_draws
    assert out["top_k"] == PARAMS.unit_localizer.top_k


def test_macros_report_trained_and_untrained_separately():
    m = macros({**RESULTS, "units": summary(_frames(), PARAMS)}, ROIS, CATEGORIES)
    assert (m["resGeneraliseCountTrained"], m["resGeneraliseTotalTrained"]) == ("3", "3")
    assert m["resGeneraliseCountUntrained"] == "0"
    assert m["resGeneraliseWelchCountUntrained"] == m["resGeneraliseTotalUntrained"]
    assert (m["resGeneraliseEffectTrained"], m["resGeneraliseEffectUntrained"]) == ("9.0", "1.5")
    assert m["resOverlapRatioTrained"] == "20.0" and m["resOverlapAboveChanceUntrained"] == "0"
    assert m["resOverlapNLocalizerTwoTrained"] == "15" and m["resGeneraliseAlpha"] == "0.05"
    assert (m["resBeyondUntrainedCountTrained"], m["resBeyondUntrainedTestableTrained"]) == (
        "3", "3")
    assert m["resBeyondUntrainedTestableUntrained"] == "0"
    assert m["resBeyondUntrainedDiffTrained"] == "13.5" and m["resTEqualKUntrained"] == "6.5"
    assert (m["resEqualKFacesT"], m["resEqualKFacesUntrained"], m["resEqualKFacesDiff"]) == (
        "20.0", "6.5", "13.5")
    assert float(m["resEqualKBodiesLow"]) > 0 and m["resEqualKPlacesP"] != "n/a"
    assert m["resOverlapBeyondCountTrained"] == "3" and m["resOverlapExcessTrained"] == "0.30"
    assert m["resTopK"] == str(PARAMS.unit_localizer.top_k)
    assert m["resComparativeLevel"] == "90"


def test_macros_tolerate_a_summary_without_the_baseline():
    m = macros(RESULTS, ROIS, CATEGORIES)  # units without the new keys
    new = [k for k in m if k.startswith(("resGeneralise", "resOverlap", "resBeyond",
                                         "resEqualK", "resTEqualK", "resTopK", "resBootstrap",
                                         "resComparative"))]
    assert len(new) == 63 and all(m[k] == "n/a" for k in new)
