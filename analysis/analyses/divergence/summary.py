"""The divergence stage's summary.json (results.json's ``divergence``) from its tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import config
from analysis.analyses.divergence.params import block
from analysis.report.format import number, p_value


def _test(row: pd.Series, prefix: str = "") -> dict:
    return {"estimate": number(row[f"{prefix}estimate"]), "low": number(row[f"{prefix}low"]),
            "high": number(row[f"{prefix}high"]), "p": p_value(row[f"{prefix}p"])}


def _generalisation_summary(gen: pd.DataFrame) -> dict:
    if not len(gen):
        return {}
    disc = gen[gen["part"] == "discovery"]
    found = disc[disc["hypothesis"] == "found"]
    out: dict = {"discovery": {
        f"{r['label_a']}-{r['label_b']}": _test(r, "difference_") for _, r in disc.iterrows()
        if np.isfinite(r.get("difference_p", np.nan))}}
    if len(found):
        f = found.iloc[0]
        out["found"] = {"label_a": f["label_a"], "label_b": f["label_b"],
                        "model": f["model"], **_test(f, "difference_")}
    out["parts"] = {}
    for _, r in gen[gen["part"] != "discovery"].iterrows():
        key = f"{r['part']}/{r['model']}/{r['hypothesis']}"
        if isinstance(r.get("note"), str):
            out["parts"][key] = {"note": r["note"]}
        elif np.isfinite(r.get("difference_p", np.nan)):
            out["parts"][key] = {"label_a": r["label_a"], "label_b": r["label_b"],
                                 "n_subjects": int(r["n_subjects"]),
                                 "n_images": int(r["n_images"]),
                                 "brain_contrast": number(r["brain_contrast"]),
                                 "model_contrast": number(r["model_contrast"]),
                                 "same_sign": bool(r["same_sign"]),
                                 **_test(r, "difference_")}
    return out


def summary(tables: dict[str, pd.DataFrame], params: config.Params) -> dict:
    """The numbers of results.json: per region the brain's contrast (subjects and images
    crossed; over subjects alone), each model's and control's contrast and brain-model
    difference, the trained models' mean contrast (like with like), the hypotheses found and
    their tests on the held-out parts, the real-image contrasts and the IT-RDM separation."""
    d = block(params)
    out: dict = {"diagnostics": {k: list(v) for k, v in d.diagnostics.items()},
                 "residual_cutoff": d.residual_cutoff, "control_shift": d.control_shift,
                 "split": {"discovery_subjects": d.discovery_subjects,
                           "discovery_models": d.discovery_models,
                           "discovery_image_share": d.discovery_image_share},
                 "regions": {}}
    diag, gen = tables["diagnostics"], tables["generalisation"]
    for region, g in diag.groupby("region", sort=False):
        brain = g[g["kind"] == "brain"].iloc[0]
        if str(brain.get("note", "")).startswith("excluded"):
            out["regions"][region] = {"category": brain["category"], "excluded": brain["note"]}
            continue
        s = tables["subjects"][tables["subjects"]["region"] == region]
        entry = {"category": brain["category"], "label_a": brain["label_a"],
                 "label_b": brain["label_b"], "n_a": int(brain["n_a"]), "n_b": int(brain["n_b"]),
                 "brain": {**_test(brain), "subjects_only": _test(brain, "subjects_"),
                           "n_subjects": int(brain["n_subjects"]),
                           "subjects_positive": int((s["estimate"] > 0).sum()),
                           "category_effect": number(float(brain["category_effect"]))},
                 "systems": {}}
        run = g[(g["kind"] != "brain") & g["estimate"].notna()]
        for _, row in run.iterrows():
            entry["systems"][row["system"]] = {
                "kind": row["kind"], **_test(row),
                "category_effect": number(float(row["category_effect"])),
                "difference": _test(row, "difference_")}
        entry["without_selective_units"] = sorted(
            g[(g["kind"] != "brain") & g["estimate"].isna()]["system"])
        trained = run[run["kind"] == "trained"]
        entry["trained_mean_contrast"] = number(float(trained["estimate"].mean())) \
            if len(trained) else None
        entry["trained_pooled"] = list(trained["system"])
        entry["generalisation"] = _generalisation_summary(gen[gen["region"] == region]
                                                          if len(gen) else gen)
        out["regions"][region] = entry
    out["region_order"] = list(out["regions"])
    real, it = tables["real_images"], tables["it_rdm"]
    out["real_images"] = [
        {k: (p_value(v) if k == "p" else number(v) if isinstance(v, float) else v)
         for k, v in r.items() if k not in ("se", "df")} for r in real.to_dict("records")]
    if len(it):
        hum = it[it["kind"] == "human_it"]
        out["it_rdm"] = {"human_it_ratio_mean": number(float(hum["ratio"].mean())),
                         "human_it_separation_mean": number(float(hum["separation"].mean())),
                         "n_human_subjects": len(hum),
                         "systems": {r["system"]: {"ratio": number(r["ratio"]),
                                                   "separation": number(r["separation"])}
                                     for _, r in it[it["kind"] != "human_it"].iterrows()}}
    return out


