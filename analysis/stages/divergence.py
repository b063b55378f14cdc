"""Stimulus-level divergences and the diagnostic tests (Finding 5): results/divergence/.

Per category's main region (FFA, EBA, PPA) on the shared images, with the annotation table of
`annotate`:

* images.csv — every image's z-scored response of the region (subject average) and of each
  model's selective units, the standardized residual of brain on network and the divergent flag
  (|residual| >= ``divergence.residual_cutoff``), with the image's labels; subject_images.csv —
  each subject's z-scored response to every image;
* subjects.csv — the diagnostic contrast (``divergence.diagnostics``: label A minus label B) in
  each subject, with a bootstrap interval over images and Welch's p over images;
* diagnostics.csv — the contrast of each model (trained and untrained) and control, its
  interval and p (images), and the brain-model difference with subjects and images crossed
  (analysis.stats.divergence.crossed_difference); the brain's own row tests over subjects;
* generalisation.csv — the brain-model difference on the discovery part and on each held-out
  part (subjects, trained models, images; one factor at a time; the split is in params.yaml);
* enrichment.csv — on the discovery part, how each label goes with the residuals (the
  hypotheses a user would form from the divergent images);
* real_images.csv — the network side on real stimulus sets (``divergence.real_images``), and
  it_rdm.csv — the 92-image human-IT RDMs' (and each network's face units') separation of
  human from animal faces;
* summary.json — the numbers the results file and the manuscript use.

Controls (tiers with the simulated brain): the noise-free control subject presented as a network
(positive: its contrast is the brain's), and the same with label A's images shifted by
``divergence.control_shift`` SD (negative: a system known to differ by that much).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.spatial.distance import squareform

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError, ParameterError
from analysis.io import (
    activation_store,
    annotations,
    control_brain,
    selected,
    unit_store,
)
from analysis.report.format import number, p_value
from analysis.responses import check_aligned
from analysis.stats import divergence as dv
from analysis.stats.controls import aligned
from analysis.stats.profiles import rdm
from analysis.stats.rsa92 import load_human_rdms
from analysis.stats.selection import above

NEGATIVE = "shifted_control"
RSA_SET = "kriegeskorte92"


def _labels(stimuli: np.ndarray) -> pd.DataFrame:
    path = paths.ANNOTATIONS / "images.csv"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro annotate`")
    table = pd.read_csv(path).set_index("nsd_id")
    missing = [int(s) for s in stimuli if s not in table.index]
    if missing:
        raise InputError(f"{path} has no row for shared images {missing[:5]} "
                         f"({len(missing)} in all); rerun `dvc repro annotate`")
    return table.loc[stimuli, list(annotations.LABELS)].astype(float)


def _systems(params: config.Params, region: str, category: str, stimuli: np.ndarray,
             a: np.ndarray) -> tuple[dict[str, tuple[np.ndarray, bool | None]], list[str]]:
    """({name: ((n_images,) z-scored profile, trained flag (None for a control))}, the models
    left out because they have no selective units at the threshold)."""
    out: dict[str, tuple[np.ndarray, bool | None]] = {}
    empty = []
    for model in params.models:
        r = aligned(selected.units(params, model, params.layer(model, category), category),
                    stimuli)
        if r is None:
            raise InputError(f"{model}'s activations lack shared images: rerun "
                             f"`dvc repro extract@{model}`")
        if r.n_channels:
            out[model] = (dv.unit_profile(r.mean()), params.zoo[model].trained)
        else:
            empty.append(model)
    ctrl = control_brain.responses(region, params.roi_definitions[region].contrast,
                                   params.threshold)
    ctrl = aligned(ctrl, stimuli) if ctrl is not None else None
    if ctrl is not None and ctrl.n_channels:
        prof = dv.zscore(ctrl.mean().mean(axis=1))
        out[control_brain.POSITIVE] = (prof, None)
        out[NEGATIVE] = (prof + params.divergence.control_shift * a, None)
    return out, empty


def _row(test: dv.Test, prefix: str = "") -> dict[str, float]:
    return {f"{prefix}{k}": v for k, v in test.as_dict().items()}


def region_tables(params: config.Params, category: str, region: str
                  ) -> dict[str, pd.DataFrame]:
    """Every table of one region (see the module docstring)."""
    d = params.divergence
    level = params.comparison.ci_level
    label_a, label_b = d.diagnostics[category]
    brains = [b for b in selected.voxels(params, region) if b.n_channels]
    if len(brains) < 2:
        raise InputError(f"{region}: fewer than 2 subjects have selected voxels at threshold "
                         f"{params.threshold}")
    check_aligned(brains)
    stimuli = brains[0].stimuli
    subjects = np.array([b.system.subject for b in brains])
    profiles = np.vstack([dv.brain_profile(b.data) for b in brains])  # (S, n_img)
    average = dv.zscore(profiles.mean(axis=0))
    labels = _labels(stimuli)
    a = (labels[label_a] == 1).to_numpy()
    b = (labels[label_b] == 1).to_numpy()
    if a.sum() < 2 or b.sum() < 2:
        raise InputError(f"{region}: {a.sum()} shared images labelled {label_a} and {b.sum()} "
                         f"labelled {label_b}; the contrast needs at least 2 of each "
                         f"(results/annotations/images.csv)")
    neither = ((labels[label_a] == 0) & (labels[label_b] == 0)).to_numpy()
    base = {"region": region, "category": category, "label_a": label_a, "label_b": label_b}
    systems, empty = _systems(params, region, category, stimuli, a)
    # the brain: each subject (images resampled), then subjects as the unit of inference
    subj_rows = []
    c_s = dv.contrast(profiles, a, b)
    low, high = dv.bootstrap_interval(profiles, a, b, d.n_boot, level,
                                      seeds.stream(d.seed, "bootstrap", region, "subjects"))
    for k, s in enumerate(subjects):
        t, p = dv.welch(profiles[k], a, b)
        subj_rows.append({**base, "subject": int(s), "contrast": c_s[k], "low": low[k],
                          "high": high[k], "t_images": t, "p_images": p,
                          "category_effect": float(profiles[k, a | b].mean()
                                                   - profiles[k, neither].mean())
                          if neither.sum() else np.nan})
    subject_images = pd.DataFrame({
        **base, "subject": np.repeat(subjects, len(stimuli)),
        "nsd_id": np.tile(stimuli, len(subjects)), "brain_z": profiles.ravel().round(6)})
    diag_rows = [{**base, "system": "brain", "kind": "brain", "trained": np.nan,
                  "n_a": int(a.sum()), "n_b": int(b.sum()),
                  **_row(dv.subjects_test(c_s, level)),
                  **_row(dv.crossed_difference(profiles, None, a, b, level), "crossed_")}]
    image_rows = []
    for name, (prof, trained) in systems.items():
        lo, hi = dv.bootstrap_interval(prof, a, b, d.n_boot, level,
                                       seeds.stream(d.seed, "bootstrap", region, name))
        t, p = dv.welch(prof, a, b)
        diff = dv.crossed_difference(profiles, prof, a, b, level)
        kind = "control" if trained is None else ("trained" if trained else "untrained")
        diag_rows.append({**base, "system": name, "kind": kind, "trained": trained,
                          "n_a": int(a.sum()), "n_b": int(b.sum()),
                          "estimate": float(dv.contrast(prof, a, b)), "low": float(lo),
                          "high": float(hi), "t": t, "p": p,
                          **_row(diff, "difference_")})
        if trained is None:
            continue
        res = dv.residuals(average, prof)
        image_rows.append(pd.DataFrame({
            **base, "model": name, "nsd_id": stimuli, "brain_z": average.round(6),
            "network_z": prof.round(6), "residual": res.standardized.round(6),
            "divergent": res.divergent(d.residual_cutoff),
            **{label: labels[label].to_numpy() for label in annotations.LABELS}}))
    gen_rows, enr_rows = _generalisation(params, region, base, stimuli, subjects, profiles,
                                         systems, labels, a, b)
    diag_rows += [{**base, "system": m, "kind": "trained" if params.zoo[m].trained
                   else "untrained", "trained": params.zoo[m].trained,
                   "n_a": int(a.sum()), "n_b": int(b.sum()), "note": "no selective units"}
                  for m in empty]
    return {"images": pd.concat(image_rows, ignore_index=True) if image_rows else
            pd.DataFrame(), "subject_images": subject_images,
            "subjects": pd.DataFrame(subj_rows),
            "diagnostics": pd.DataFrame(diag_rows), "generalisation": pd.DataFrame(gen_rows),
            "enrichment": pd.DataFrame(enr_rows)}


def _generalisation(params: config.Params, region: str, base: dict, stimuli: np.ndarray,
                    subjects: np.ndarray, profiles: np.ndarray,
                    systems: dict[str, tuple[np.ndarray, bool | None]], labels: pd.DataFrame,
                    a: np.ndarray, b: np.ndarray) -> tuple[list[dict], list[dict]]:
    """The brain-model difference on the discovery part and each held-out part (one factor
    held out at a time), and the label enrichment of the discovery part's divergent images."""
    d = params.divergence
    level = params.comparison.ci_level
    disc_img = dv.image_part(stimuli, d.discovery_image_share, d.seed)
    disc_subj = np.isin(subjects, d.discovery_subjects)
    trained = [m for m, (_, t) in systems.items() if t]
    disc_models = [m for m in trained if m in d.discovery_models]
    held_models = [m for m in trained if m not in d.discovery_models]
    parts = [("discovery", disc_subj, disc_models, disc_img),
             ("held-out subjects", ~disc_subj, disc_models, disc_img),
             ("held-out images", disc_subj, disc_models, ~disc_img),
             ("held-out models", disc_subj, held_models, disc_img)]
    gen_rows = []
    for part, subj, models, img in parts:
        for m in models:
            if subj.sum() == 0:
                continue
            prof = systems[m][0]
            test = dv.crossed_difference(profiles[subj][:, img], prof[img], a[img], b[img],
                                         level)
            gen_rows.append({**base, "part": part, "model": m, "n_subjects": int(subj.sum()),
                             "n_images": int(img.sum()), "n_a": int((a & img).sum()),
                             "n_b": int((b & img).sum()),
                             "brain_contrast": float(dv.contrast(
                                 profiles[subj][:, img], a[img], b[img]).mean()),
                             "model_contrast": float(dv.contrast(prof[img], a[img], b[img])),
                             **_row(test, "difference_")})
    enr_rows = []
    avg = dv.zscore(profiles[disc_subj][:, disc_img].mean(axis=0))
    for m in disc_models:
        res = dv.residuals(avg, dv.zscore(systems[m][0][disc_img]))
        flags = res.divergent(d.residual_cutoff)
        for label in annotations.LABELS:
            enr_rows.append({**base, "model": m, "label": label,
                             **dv.label_enrichment(res.standardized, flags,
                                                   labels[label].to_numpy()[disc_img])})
    return gen_rows, enr_rows


def real_image_tables(params: config.Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The selected units' contrasts on real stimulus sets, and the human-IT RDM view."""
    d = params.divergence
    level = params.comparison.ci_level
    available = set(params.stimulus_sets) | set(params.supplementary_sets)
    rows = []
    for spec in d.real_images:
        if spec.set not in available:
            continue
        for model in params.models:
            entry = params.zoo[model]
            index = activation_store.index(spec.set, entry.preprocessing)
            if spec.column not in index:
                raise ParameterError(f"divergence.real_images: {spec.set} has no column "
                                     f"{spec.column!r} (columns: {list(index.columns)})")
            values = index[spec.column].astype(str).to_numpy()
            a, b = values == spec.a, values == spec.b
            if a.sum() < 2 or b.sum() < 2:
                raise ParameterError(f"divergence.real_images: {spec.set} has {a.sum()} "
                                     f"images with {spec.column} = {spec.a!r} and {b.sum()} "
                                     f"with {spec.b!r}; values: {sorted(set(values))}")
            layer = params.layer(model, spec.units)
            r = activation_store.layer_responses(model, spec.set, layer, entry.preprocessing)
            mask = above(unit_store.t_values(model, layer, "floc", spec.units),
                         params.unit_threshold(entry.trained))
            row = {"set": spec.set, "units": spec.units, "a": spec.a, "b": spec.b,
                   "model": model, "trained": entry.trained, "n_units": int(mask.sum()),
                   "n_a": int(a.sum()), "n_b": int(b.sum())}
            if mask.sum():
                prof = dv.unit_profile(r.mean()[:, mask])
                lo, hi = dv.bootstrap_interval(prof, a, b, d.n_boot, level, seeds.stream(
                    d.seed, "real", spec.set, spec.units, spec.a, spec.b, model))
                t, p = dv.welch(prof, a, b)
                row.update(contrast=float(dv.contrast(prof, a, b)), low=float(lo),
                           high=float(hi), t=t, p=p)
            rows.append(row)
    return pd.DataFrame(rows), _it_rdm(params) if RSA_SET in available else pd.DataFrame()


def _it_rdm(params: config.Params) -> pd.DataFrame:
    """Human vs animal faces in the 92-image RDMs: each human-IT subject (two-session mean)
    and each network's face units (correlation distance)."""
    rows = []
    first = params.zoo[params.models[0]].preprocessing
    cats = activation_store.index(RSA_SET, first)["category"].to_numpy()
    a, b = cats == "human face", cats == "nonhuman face"
    others = ~(a | b)
    for name, sessions in load_human_rdms(paths.stimulus_set(RSA_SET)).items():
        rows.append({"system": f"human IT {name}", "kind": "human_it",
                     **dv.rdm_group_separation(squareform(sessions.mean(axis=0)), a, b,
                                               others)})
    for model in params.models:
        entry = params.zoo[model]
        layer = params.layer(model, "faces")
        mask = above(unit_store.t_values(model, layer, "floc", "faces"),
                     params.unit_threshold(entry.trained))
        if mask.sum() < 2:
            continue
        x = activation_store.layer_responses(model, RSA_SET, layer, entry.preprocessing)
        rows.append({"system": model, "kind": "trained" if entry.trained else "untrained",
                     **dv.rdm_group_separation(squareform(rdm(x.mean()[:, mask])), a, b,
                                               others)})
    return pd.DataFrame(rows)


def _test(row: pd.Series, prefix: str = "") -> dict:
    return {"estimate": number(row[f"{prefix}estimate"]), "low": number(row[f"{prefix}low"]),
            "high": number(row[f"{prefix}high"]), "p": p_value(row[f"{prefix}p"])}


def summary(tables: dict[str, pd.DataFrame], params: config.Params) -> dict:
    """The numbers of results.json: per region the brain's contrast (subjects), each model's
    and control's contrast and brain-model difference, the trained models' mean contrast (like
    with like), the generalisation parts, the discovery enrichment's strongest label, the real
    image contrasts and the IT-RDM separation."""
    out: dict = {"diagnostics": {k: list(v) for k, v in params.divergence.diagnostics.items()},
                 "residual_cutoff": params.divergence.residual_cutoff,
                 "control_shift": params.divergence.control_shift,
                 "split": {"discovery_subjects": params.divergence.discovery_subjects,
                           "discovery_models": params.divergence.discovery_models,
                           "discovery_image_share": params.divergence.discovery_image_share},
                 "regions": {}}
    diag, subj = tables["diagnostics"], tables["subjects"]
    for region, g in diag.groupby("region", sort=False):
        brain = g[g["kind"] == "brain"].iloc[0]
        s = subj[subj["region"] == region]
        entry = {"category": brain["category"], "label_a": brain["label_a"],
                 "label_b": brain["label_b"], "n_a": int(brain["n_a"]), "n_b": int(brain["n_b"]),
                 "brain": {**_test(brain), "crossed": _test(brain, "crossed_"),
                           "n_subjects": len(s),
                           "subjects_positive": int((s["contrast"] > 0).sum()),
                           "category_effect": number(float(s["category_effect"].mean()))},
                 "systems": {}}
        run = g[(g["kind"] != "brain") & g["estimate"].notna()]
        for _, row in run.iterrows():
            entry["systems"][row["system"]] = {"kind": row["kind"], **_test(row),
                                               "difference": _test(row, "difference_")}
        entry["without_selective_units"] = sorted(
            g[(g["kind"] != "brain") & g["estimate"].isna()]["system"])
        trained = run[run["kind"] == "trained"]
        entry["trained_mean_contrast"] = number(float(trained["estimate"].mean())) \
            if len(trained) else None
        entry["trained_pooled"] = list(trained["system"])
        gen = tables["generalisation"]
        gen = gen[gen["region"] == region]
        entry["generalisation"] = {
            f"{r['part']}/{r['model']}": {"n_subjects": int(r["n_subjects"]),
                                          "n_images": int(r["n_images"]),
                                          "brain_contrast": number(r["brain_contrast"]),
                                          "model_contrast": number(r["model_contrast"]),
                                          **_test(r, "difference_")}
            for _, r in gen.iterrows()}
        enr = tables["enrichment"]
        enr = enr[(enr["region"] == region) & np.isfinite(enr["t"])]
        if len(enr):
            top = enr.loc[enr["t"].abs().idxmax()]
            entry["discovery_top_label"] = {"model": top["model"], "label": top["label"],
                                            "residual_difference":
                                                number(top["residual_difference"]),
                                            "p": p_value(top["p"])}
        out["regions"][region] = entry
    out["region_order"] = list(out["regions"])
    real, it = tables["real_images"], tables["it_rdm"]
    out["real_images"] = [
        {k: (p_value(v) if k == "p" else number(v) if isinstance(v, float) else v)
         for k, v in r.items() if k != "t"} for r in real.to_dict("records")]
    if len(it):
        hum = it[it["kind"] == "human_it"]
        out["it_rdm"] = {"human_it_ratio_mean": number(float(hum["ratio"].mean())),
                         "human_it_separation_mean": number(float(hum["separation"].mean())),
                         "n_human_subjects": len(hum),
                         "systems": {r["system"]: {"ratio": number(r["ratio"]),
                                                   "separation": number(r["separation"])}
                                     for _, r in it[it["kind"] != "human_it"].iterrows()}}
    return out


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    for category, pair in params.divergence.diagnostics.items():
        bad = [x for x in pair if x not in annotations.LABELS]
        if bad:
            raise ParameterError(f"divergence.diagnostics.{category} = {pair}: {bad} are not "
                                 f"annotation labels ({list(annotations.LABELS)})")
    parts: dict[str, list[pd.DataFrame]] = {}
    for category in params.categories:
        region = params.main_region(category)
        if region is None:
            continue
        for name, table in region_tables(params, category, region).items():
            parts.setdefault(name, []).append(table)
    tables = {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}
    tables["real_images"], tables["it_rdm"] = real_image_tables(params)
    with atomic_path(paths.DIVERGENCE) as tmp:
        tmp.mkdir()
        for name, table in tables.items():
            write_csv(table, tmp / f"{name}.csv")
        write_json(summary(tables, params), tmp / "summary.json")
