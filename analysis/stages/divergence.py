"""Stimulus-level divergences and the diagnostic tests (Finding 5): results/divergence/.

Per category's main region (FFA, EBA, PPA) on the shared images, with the annotation table of
`annotate`; every profile standardized over the images it is used on (a region's by its signal
SD, analysis.stats.divergence.Profile):

* images.csv — every image's standardized response of the region (subject average) and of
  each model's selective units, the standardized residual of brain on network and the divergent
  flag (|residual| >= ``divergence.residual_cutoff``), with the image's labels;
  subject_images.csv — each subject's standardized response to every image;
* subjects.csv — the diagnostic contrast (``divergence.diagnostics``: label A minus label B) in
  each subject, with Welch's interval and p over images;
* diagnostics.csv — the brain's contrast (subjects and images crossed; and over subjects with
  the images fixed), each model's (trained and untrained) and control's contrast (Welch, over
  images) and the brain-model difference (subjects and images crossed);
* generalisation.csv — on the discovery part, every label pair's brain-model difference; the
  pair with the smallest p is the hypothesis found there. It and the pre-specified diagnostic
  are tested on the held-out subjects and images, with the discovery model and with each other
  trained model (profiles re-standardized on the part's images; a part that reuses the
  discovery subjects or images is not independent of the selection and is not run:
  analysis.stats.generalisation_parts);
* enrichment.csv — on the discovery part, how each label pair goes with the residuals and the
  divergent images;
* real_images.csv — the network side on real stimulus sets (``divergence.real_images``), and
  it_rdm.csv — the 92-image human-IT RDMs' (and each network's face units') separation of
  human from animal faces;
* summary.json — the numbers the results file and the manuscript use.

Controls (tiers with the simulated brain): the noise-free control subject presented as a network
(its voxels as units; positive: no difference from the brain expected), and the same with label
A's images shifted by ``divergence.control_shift`` SD and standardized again (negative: a system
known to differ).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.spatial.distance import squareform

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError, ParameterError
from analysis.io import (
    activation_store,
    control_brain,
    selected,
    unit_store,
)
from analysis.io import annotations as ann
from analysis.report.format import number, p_value
from analysis.responses import as_brain, check_aligned
from analysis.selection import above
from analysis.stats import divergence as dv
from analysis.stats import generalisation_parts as gp
from analysis.stats.controls import aligned
from analysis.stats.profiles import rdm, standardized_channels
from analysis.stats.rsa92 import load_human_rdms

NEGATIVE = "shifted_control"
RSA_SET = "kriegeskorte92"
#: Columns of the real-image tables, written even when no set is available (a header-only file).
REAL_COLUMNS = ["set", "units", "a", "b", "model", "trained", "n_units", "n_a", "n_b",
                "estimate", "se", "df", "low", "high", "p"]
IT_COLUMNS = ["system", "kind", "between", "within", "separation", "category_separation",
              "ratio"]


def _labels(stimuli: np.ndarray) -> pd.DataFrame:
    path = paths.ANNOTATIONS / "images.csv"
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro annotate`")
    table = pd.read_csv(path).set_index("nsd_id")
    missing = [int(s) for s in stimuli if s not in table.index]
    if missing:
        raise InputError(f"{path} has no row for shared images {missing[:5]} "
                         f"({len(missing)} in all); rerun `dvc repro annotate`")
    return table.loc[stimuli, list(ann.LABELS)].astype(float)


def _systems(params: config.Params, region: str, category: str, stimuli: np.ndarray,
             a: np.ndarray) -> tuple[dict[str, tuple[dv.Profile, bool | None]], list[str]]:
    """({name: (profile, trained flag (None for a control))}, the models left out because
    they have no selective units at the threshold)."""
    out: dict[str, tuple[dv.Profile, bool | None]] = {}
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
        positive = dv.unit_profile(ctrl.mean())  # presented as a network: voxels as units
        out[control_brain.POSITIVE] = (positive, None)
        shifted = positive.z() + params.divergence.control_shift * a
        out[NEGATIVE] = (dv.Profile(shifted, np.zeros(len(shifted))), None)
    return out, empty


#: The per-region tables (written even when every region is excluded).
REGION_TABLES = ("images", "subject_images", "subjects", "diagnostics", "generalisation",
                 "enrichment")


def _row(test: dv.Test, prefix: str = "") -> dict[str, float]:
    return {f"{prefix}{k}": v for k, v in test.as_dict().items()}


def _masks(labels: pd.DataFrame, pair: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    return (labels[pair[0]] == 1).to_numpy(), (labels[pair[1]] == 1).to_numpy()


def region_tables(params: config.Params, category: str, region: str
                  ) -> dict[str, pd.DataFrame]:
    """Every table of one region (see the module docstring)."""
    d = params.divergence
    level = params.comparison.ci_level
    label_a, label_b = d.diagnostics[category]
    brains = [b for b in selected.voxels(params, region) if b.n_channels]
    check_aligned(brains)
    profiles = {as_brain(b.system).subject: dv.brain_profile(b.data) for b in brains}
    no_signal = sorted(s for s, p in profiles.items() if not np.isfinite(p.z()).all())
    profiles = {s: p for s, p in profiles.items() if s not in no_signal}
    if len(profiles) < 2:  # no test over subjects: the region is reported as excluded
        return {"diagnostics": pd.DataFrame([{
            "region": region, "category": category, "label_a": label_a, "label_b": label_b,
            "system": "brain", "kind": "brain", "n_subjects": len(profiles),
            "subjects_without_signal": " ".join(map(str, no_signal)),
            "note": f"excluded: fewer than 2 subjects have selected voxels with a measurable "
                    f"signal at threshold {params.threshold}"}])}
    stimuli = brains[0].stimuli
    subjects = np.array(list(profiles))
    z = np.vstack([p.z() for p in profiles.values()])  # (S, n_img)
    average = dv.zscore(z.mean(axis=0))
    labels = _labels(stimuli)
    a, b = _masks(labels, (label_a, label_b))
    if a.sum() < 2 or b.sum() < 2:
        raise InputError(f"{region}: {a.sum()} shared images labelled {label_a} and {b.sum()} "
                         f"labelled {label_b}; the contrast needs at least 2 of each "
                         f"(results/annotations/images.csv)")
    neither = ((labels[label_a] == 0) & (labels[label_b] == 0)).to_numpy()
    base = {"region": region, "category": category, "label_a": label_a, "label_b": label_b}
    systems, empty = _systems(params, region, category, stimuli, a)

    def category_effect(values: np.ndarray) -> float:
        return float(values[a | b].mean() - values[neither].mean()) if neither.any() else np.nan

    subj_rows = [{**base, "subject": int(s), **_row(dv.welch(z[k], a, b, level)),
                  "category_effect": category_effect(z[k])} for k, s in enumerate(subjects)]
    diag_rows = [{**base, "system": "brain", "kind": "brain", "trained": np.nan,
                  "n_a": int(a.sum()), "n_b": int(b.sum()), "n_subjects": len(subjects),
                  "subjects_without_signal": " ".join(map(str, no_signal)),
                  "category_effect": float(np.mean([r["category_effect"] for r in subj_rows])),
                  **_row(dv.crossed_difference(z, None, a, b, level)),
                  **_row(dv.subjects_test(dv.contrast(z, a, b), level), "subjects_")}]
    image_rows = []
    for name, (prof, trained) in systems.items():
        nz = prof.z()
        kind = "control" if trained is None else ("trained" if trained else "untrained")
        diag_rows.append({**base, "system": name, "kind": kind, "trained": trained,
                          "n_a": int(a.sum()), "n_b": int(b.sum()),
                          "category_effect": category_effect(nz),
                          **_row(dv.welch(nz, a, b, level)),
                          **_row(dv.crossed_difference(z, nz, a, b, level), "difference_")})
        if trained is None:
            continue
        res = dv.residuals(average, nz)
        image_rows.append(pd.DataFrame({
            **base, "model": name, "nsd_id": stimuli, "brain_z": average.round(6),
            "network_z": nz.round(6), "residual": res.standardized.round(6),
            "divergent": res.divergent(d.residual_cutoff),
            **{label: labels[label].to_numpy() for label in ann.LABELS}}))
    diag_rows += [{**base, "system": m, "kind": "trained" if params.zoo[m].trained
                   else "untrained", "trained": params.zoo[m].trained,
                   "n_a": int(a.sum()), "n_b": int(b.sum()), "note": "no selective units"}
                  for m in empty]
    gen_rows, enr_rows = _generalisation(params, base, stimuli, subjects, profiles, systems,
                                         labels)
    subject_images = pd.DataFrame({
        **base, "subject": np.repeat(subjects, len(stimuli)),
        "nsd_id": np.tile(stimuli, len(subjects)), "brain_z": z.ravel().round(6)})
    return {"images": pd.concat(image_rows, ignore_index=True) if image_rows else
            pd.DataFrame(), "subject_images": subject_images,
            "subjects": pd.DataFrame(subj_rows), "diagnostics": pd.DataFrame(diag_rows),
            "generalisation": pd.DataFrame(gen_rows), "enrichment": pd.DataFrame(enr_rows)}


def _generalisation(params: config.Params, base: dict, stimuli: np.ndarray,
                    subjects: np.ndarray, profiles: dict[int | str, dv.Profile],
                    systems: dict[str, tuple[dv.Profile, bool | None]], labels: pd.DataFrame
                    ) -> tuple[list[dict], list[dict]]:
    """Hypotheses found on the discovery part and tested on the held-out parts
    (analysis.stats.generalisation_parts), and the label enrichment of the discovery part's
    divergent images, for every discovery model."""
    d = params.divergence
    prespecified = (base["label_a"], base["label_b"])
    region = {"region": base["region"], "category": base["category"]}
    # candidate hypotheses: every label pair, the pre-specified one in its own orientation
    pairs = [prespecified if set(pair) == set(prespecified) else pair
             for pair in ann.PAIRS]
    if prespecified not in pairs:
        pairs.append(prespecified)
    candidates = {pair: _masks(labels, pair) for pair in pairs}
    disc_img = dv.image_part(stimuli, d.discovery_image_share, d.seed)
    disc_subj = np.isin(subjects, d.discovery_subjects)
    brain = [profiles[s] for s in subjects]
    trained = {m: prof for m, (prof, t) in systems.items() if t}
    held_models = [m for m in trained if m not in d.discovery_models]
    gen_rows, enr_rows = [], []
    for model in (m for m in trained if m in d.discovery_models):
        gen_rows += [{**region, **r} for r in gp.generalise(
            brain, trained, disc_subj, disc_img, model, held_models, candidates, prespecified,
            params.comparison.ci_level)]
        enr_rows += [{**region, "model": model, **r} for r in gp.discovery_enrichment(
            [p for p, keep in zip(brain, disc_subj) if keep], trained[model], disc_img,
            candidates, d.residual_cutoff)]
    return gen_rows, enr_rows


def real_image_tables(params: config.Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The selected units' contrasts on real stimulus sets, and the human-IT RDM view."""
    level = params.comparison.ci_level
    available = set(params.stimulus_sets) | set(params.supplementary_sets)
    rows = []
    for spec in params.divergence.real_images:
        if spec.set not in available:
            continue
        for model in params.models:
            entry = params.zoo[model]
            assert entry.preprocessing is not None  # config: every model in `models` has one
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
                row.update(dv.welch(dv.unit_profile(r.mean()[:, mask]).z(), a, b,
                                    level).as_dict())
            rows.append(row)
    it = _it_rdm(params) if RSA_SET in available else []
    return pd.DataFrame(rows, columns=REAL_COLUMNS), pd.DataFrame(it, columns=IT_COLUMNS)


def _it_rdm(params: config.Params) -> list[dict]:
    """Human vs animal faces in the 92-image RDMs: each human-IT subject (two-session mean)
    and each network's face units (correlation distance of the units standardized over the 92
    images)."""
    rows = []
    first = params.zoo[params.models[0]].preprocessing
    assert first is not None  # config: every model in `models` has one
    cats = activation_store.index(RSA_SET, first)["category"].to_numpy()
    a, b = cats == "human face", cats == "nonhuman face"
    others = ~(a | b)
    for name, sessions in load_human_rdms(paths.stimulus_set(RSA_SET)).items():
        rows.append({"system": f"human IT {name}", "kind": "human_it",
                     **dv.rdm_group_separation(squareform(sessions.mean(axis=0)), a, b,
                                               others)})
    for model in params.models:
        entry = params.zoo[model]
        assert entry.preprocessing is not None  # config: every model in `models` has one
        layer = params.layer(model, "faces")
        mask = above(unit_store.t_values(model, layer, "floc", "faces"),
                     params.unit_threshold(entry.trained))
        if mask.sum() < 2:
            continue
        x = activation_store.layer_responses(model, RSA_SET, layer, entry.preprocessing)
        rows.append({"system": model, "kind": "trained" if entry.trained else "untrained",
                     **dv.rdm_group_separation(
                         squareform(rdm(standardized_channels(x.mean()[:, mask]))), a, b,
                         others)})
    return rows


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
    d = params.divergence
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


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    for category, pair in params.divergence.diagnostics.items():
        bad = [x for x in pair if x not in ann.LABELS]
        if bad:
            raise ParameterError(f"divergence.diagnostics.{category} = {pair}: {bad} are not "
                                 f"annotation labels ({list(ann.LABELS)})")
    parts: dict[str, list[pd.DataFrame]] = {}
    for category in params.categories:
        region = params.main_region(category)
        if region is None:
            continue
        for name, table in region_tables(params, category, region).items():
            parts.setdefault(name, []).append(table)
    tables = {k: pd.concat([t for t in v if len(t)] or v[:1], ignore_index=True)
              for k, v in parts.items()}
    for name in REGION_TABLES:  # every region excluded: the table is written without rows
        tables.setdefault(name, pd.DataFrame())
    tables["real_images"], tables["it_rdm"] = real_image_tables(params)
    with atomic_path(paths.DIVERGENCE) as tmp:
        tmp.mkdir()
        for name, table in tables.items():
            write_csv(table, tmp / f"{name}.csv")
        write_json(summary(tables, params), tmp / "summary.json")
