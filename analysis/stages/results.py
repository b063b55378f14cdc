"""Merge every stage's key numbers into results/results.json (the DVC metrics file that the
manuscript macros, `dvc exp show` and `dvc exp diff` read). Floats keep full precision;
p-values are strings in scientific notation, because DVC's table would round them to 0."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.atomic import write_json
from analysis.stages.compare import OUT as COMPARISON
from analysis.stages.lesion import OUT as LESION
from analysis.stages.localize_units import RESULTS as LOCALIZER
from analysis.stages.prepare_brain import OUT as PREPARED
from analysis.stages.robustness import OUT as ROBUSTNESS
from analysis.stages.rsa92 import OUT as RSA92
from analysis.stages.select_voxels import OUT as SELECTED
from analysis.stages.selectivity_metrics import OUT as METRICS

OUT = Path("results/results.json")


def _json(path: Path) -> dict:
    return json.loads(path.read_text())


def _p(x: float) -> str | None:
    return None if pd.isna(x) else f"{x:.3e}"


def comparison(stats: pd.DataFrame) -> dict:
    out: dict = {}
    for r in stats.itertuples():
        key = f"{r.roi}_{r.measure}_{r.layer_choice}"
        row = {"hh": r.hh_mean, "hn": r.hn_mean, "gap": r.gap, "p_pairs": _p(r.p_t)}
        if r.layer_choice == "published":
            row.update({"gap_ci_low": r.ci_low, "gap_ci_high": r.ci_high, "p_boot": _p(r.p_boot)})
        out[key] = {k: (None if isinstance(v, float) and pd.isna(v) else v)
                    for k, v in row.items()}
    return out


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    prepared = _json(PREPARED / "summary.json")
    counts = pd.read_csv(SELECTED / "counts.csv")
    loc = _json(LOCALIZER / "summary.json")
    models = {m: bool(params["zoo"][m]["trained"]) for m in params["models"]}
    rsa = _json(RSA92 / "summary.json")
    rsa.pop("selected_units", None)
    results = {
        "tier": params["tier"], "synthetic_brain_data": prepared["synthetic"],
        "threshold": params["threshold"], "n_subjects": len(params["subjects"]),
        "ci_level": params["comparison"]["ci_level"],
        "n_shared_images": prepared["n_shared_images"],
        "n_models_trained": sum(models.values()),
        "n_models_untrained": len(models) - sum(models.values()),
        "selected_voxels_mean": counts.groupby("roi")["n_selected"].mean().to_dict(),
        "units": {k: v for k, v in loc.items() if k != "last_layer"},
        "metrics": _json(METRICS / "summary.json"),
        "lesion": _json(LESION / "summary.json"),
        "comparison": comparison(pd.read_csv(COMPARISON / "stats.csv")),
        "robustness": _json(ROBUSTNESS / "summary.json"),
        "rsa92": rsa,
    }
    write_json(results, OUT)
