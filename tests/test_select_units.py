"""select-units: the parameters of the baseline and overlap tests, the summary's decisions
(generalisation by the baseline p, overlap by the permutation p; trained and untrained apart)
and the manuscript macros built from it."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.errors import ParameterError
from analysis.report.macros import macros
from analysis.stages.select_units import summary
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
])
def test_bad_baseline_parameters_name_the_key(key, value, message):
    with pytest.raises(ParameterError, match=message):
        config.validate(_with(key, value))


def _frames() -> dict[str, pd.DataFrame]:
    """Tables of the three demo models: every fLoc-selected set passes the Welch test; only
    the trained network's beat the permuted-label baseline; one untrained localizer2 selects no
    unit (k = 0); rows of other layers and categories must be ignored."""
    counts, gen, venn = [], [], []
    for model, lay in LAST.items():
        trained = TRAINED[model]
        for cat in [*CATEGORIES, "objects"]:
            for layer in (lay, "blocks.4"):
                key = {"model": model, "trained": trained, "layer": layer, "category": cat}
                counts.append({**key, "localizer": "floc", "pct_selected": 20.0 if trained
                               else 2.0})
                gen.append({**key, "n_units": 50, "t": 6.0, "p_welch": 1e-6,
                            "baseline_mean": 1.0, "baseline_sd": 1.0,
                            "effect_size": 9.0 if trained else 1.5,
                            "p_baseline_fixed_images": 1 / 301 if trained else 0.01,
                            "p_permuted_selection": 1 / 301 if trained else 0.2})
                k = 0 if (not trained and cat == "faces") else 10
                venn.append({**key, "floc_only": 90, "both": 10, "localizer2_only": 5,
                             "n_floc_matched": 40.0, "both_matched": 8.0,
                             "expected_matched": 0.5, "k": k,
                             "both_top_k": 8.0 if k else np.nan,
                             "expected_top_k": 0.4 if k else np.nan,
                             "p_hypergeom_top_k": 1e-9 if k else np.nan,
                             "p_permutation_top_k": (1 / 301 if trained else 0.3) if k
                             else np.nan})
    return {"counts": pd.DataFrame(counts), "generalisation": pd.DataFrame(gen),
            "venn": pd.DataFrame(venn)}


def test_summary_decides_by_the_baseline_and_the_permutation_p():
    out = summary(_frames(), PARAMS)
    json.dumps(out, allow_nan=False)  # a valid results file
    n_untrained = sum(not t for t in TRAINED.values())
    untrained = next(m for m, t in TRAINED.items() if not t)
    g = out["generalises_last_layer"]
    assert len(g) == len(PARAMS.models) * len(CATEGORIES)
    assert not g[f"{untrained}/faces"]["generalises"]  # Welch p = 1e-6 is not enough
    assert g[f"{untrained}/faces"]["p_welch"] == "1.000e-06"
    assert out["generalisation_last_layer_untrained"] == {
        "combinations": n_untrained * 3, "generalises": 0,
        "welch_significant": n_untrained * 3, "effect_size_median": 1.5,
        "effect_size_min": 1.5, "effect_size_max": 1.5}
    assert out["generalisation_last_layer_trained"]["generalises"] == 3
    o = out["overlap_last_layer_untrained"]
    assert (o["combinations"], o["with_top_k"]) == (n_untrained * 3, n_untrained * 2)
    assert o["above_chance"] == 0 and o["above_chance_hypergeom"] == n_untrained * 2
    assert o["ratio_top_k_pooled"] == pytest.approx(20.0)
    assert o["ratio_matched_pooled"] == pytest.approx(16.0)
    assert (o["n_floc_mean"], o["n_floc_matched_mean"], o["n_localizer2_mean"]) == (100, 40, 15)
    assert out["overlap_last_layer_trained"]["above_chance"] == 3
    assert out["overlap_last_layer"][f"{untrained}/faces"]["p_permutation_top_k"] is None
    assert out["generalisation_draws"] == PARAMS.unit_localizer.generalisation_draws


def test_macros_report_trained_and_untrained_separately():
    m = macros({**RESULTS, "units": summary(_frames(), PARAMS)}, ROIS, CATEGORIES)
    assert (m["resGeneraliseCountTrained"], m["resGeneraliseTotalTrained"]) == ("3", "3")
    assert m["resGeneraliseCountUntrained"] == "0"
    assert m["resGeneraliseWelchCountUntrained"] == m["resGeneraliseTotalUntrained"]
    assert (m["resGeneraliseEffectTrained"], m["resGeneraliseEffectUntrained"]) == ("9.0", "1.5")
    assert m["resOverlapRatioTrained"] == "20.0" and m["resOverlapAboveChanceUntrained"] == "0"
    assert m["resOverlapNLocalizerTwoTrained"] == "15" and m["resGeneraliseAlpha"] == "0.05"


def test_macros_tolerate_a_summary_without_the_baseline():
    m = macros(RESULTS, ROIS, CATEGORIES)  # units without the new keys
    new = [k for k in m if k.startswith(("resGeneralise", "resOverlap"))]
    assert len(new) == 28 and all(m[k] == "n/a" for k in new)
