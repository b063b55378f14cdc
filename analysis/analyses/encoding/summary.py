"""The encoding summary (summary.json): per model and for the trained models pooled, per
region and measure, the feature sets' mean accuracy, necessity and sufficiency with their tests
and verdicts (voxelwise.py); the controls."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import config
from analysis.analyses.encoding import voxelwise
from analysis.analyses.encoding.params import block
from analysis.report.format import number, p_value
from analysis.vocabulary import POSITIVE_CONTROL

#: Accuracy measures summarised (columns of accuracy.csv).
MEASURES = ("voxel_r_normalised", "univariate_rc", "multivariate_rc")
#: In-silico feature sets, named as the layer's sets they mirror.
INSILICO = {"insilico_intact": "all", "insilico_lesioned": "lesioned",
            "insilico_random_lesioned": "random_lesioned"}


def _block(acc: pd.DataFrame, alpha: float, smallest_effect_share: float) -> dict:
    """Necessity/sufficiency of one model (or the pooled models) and region, per measure."""
    out = {}
    main = acc[acc["feature_set"].isin(voxelwise.MAIN_SETS + voxelwise.CONTROL_SETS)]
    insil = acc[acc["feature_set"].isin(INSILICO)].replace({"feature_set": INSILICO})
    for m in MEASURES:
        entry: dict[str, Any] = {
            "layer": voxelwise.necessity_sufficiency(main, m, smallest_effect_share)}
        entry["layer"] |= voxelwise.verdict(entry["layer"], alpha)
        if len(insil):
            entry["insilico"] = voxelwise.necessity_sufficiency(insil, m, smallest_effect_share)
            entry["insilico"] |= voxelwise.verdict(entry["insilico"], alpha)
        neg = acc[acc["feature_set"] == "shuffled_images"][m]
        entry["negative_control_mean"] = float(neg.mean()) if len(neg) else float("nan")
        out[m] = entry
    return out


def summary(acc: pd.DataFrame, params: config.Params, silencing: dict[str, str]) -> dict:
    """Per model and for the trained models pooled (per subject, the mean over models; random
    set j pooled over models as one draw), per region and measure: mean accuracy of every
    feature set, necessity and sufficiency with their tests (draw-permutation p, the subjects'
    t as a description, the equivalence test of "not needed") and verdicts; the controls."""
    enc = block(params)
    alpha, smallest = enc.alpha, enc.smallest_effect_share
    trained = params.trained_models()
    out: dict = {"alpha": alpha, "smallest_effect_share": smallest, "models": trained,
                 "silencing": silencing,
                 "random_sets": enc.random_sets,
                 "insilico_readout": enc.insilico_readout,
                 "insilico_pool": enc.insilico_pool,
                 "pooled": "trained models only (per subject, the mean over models)",
                 "by_model": {}, "pooled_trained": {}, "positive_control": {}}
    nets = acc[acc["model"].isin(trained)]
    for (model, region), g in nets.groupby(["model", "region"], sort=False):
        out["by_model"].setdefault(model, {})[region] = _block(g, alpha, smallest)
    keys = ["region", "subject", "feature_set", "draw"]
    pooled = nets.groupby(keys, sort=False)[list(MEASURES)].mean().reset_index()
    for region, g in pooled.groupby("region", sort=False):
        out["pooled_trained"][region] = _block(g, alpha, smallest)
    pos = acc[acc["model"] == POSITIVE_CONTROL]
    for region, g in pos.groupby("region", sort=False):
        out["positive_control"][region] = {m: float(g[m].mean()) for m in MEASURES}
    return _format(out)


def _format(obj):
    """Numbers rounded for the results file (p-values as strings, as elsewhere)."""
    if isinstance(obj, dict):
        return {k: (p_value(v) if k.endswith(("_p", "_p_subjects")) else _format(v))
                for k, v in obj.items()}
    if isinstance(obj, float):
        return number(obj)
    return obj
