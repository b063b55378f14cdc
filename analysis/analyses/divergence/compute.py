"""The divergence stage's tables (results/analyses/divergence/), pure functions over what
the stage loads.

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
* summary.json — the numbers the results file and the manuscript use (summary.py).

Controls (tiers with the simulated brain): the noise-free control subject presented as a network
(its voxels as units; positive: no difference from the brain expected), and the same with label
A's images shifted by ``divergence.control_shift`` SD and standardized again (negative: a system
known to differ).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial.distance import squareform

from analysis import config
from analysis.analyses.divergence.params import RealImageContrast, block
from analysis.errors import InputError, ParameterError
from analysis.methods.profiles import rdm, standardized_channels
from analysis.responses import Responses, as_brain
from analysis.stats import divergence as dv
from analysis.stats import generalisation_parts as gp

NEGATIVE = "shifted_control"
RSA_SET = "kriegeskorte92"
#: Columns of the real-image tables, written even when no set is available (a header-only file).
REAL_COLUMNS = ["set", "units", "a", "b", "model", "trained", "n_units", "n_a", "n_b",
                "estimate", "se", "df", "low", "high", "p"]
IT_COLUMNS = ["system", "kind", "between", "within", "separation", "category_separation",
              "ratio"]


def system_profiles(params: config.Params, units: dict[str, Responses],
                    control: tuple[str, Responses | None], a: np.ndarray
                    ) -> tuple[dict[str, tuple[dv.Profile, bool | None]], list[str]]:
    """({name: (profile, trained flag (None for a control))}, the models left out because
    they have no selective units at the threshold) from each model's selective units and the
    positive control's (name, voxels or None) on the region's shared images; ``a``: the
    diagnostic's first group, (n_images,) bool."""
    out: dict[str, tuple[dv.Profile, bool | None]] = {}
    empty = []
    for model, r in units.items():
        if r.n_channels:
            out[model] = (dv.unit_profile(r.mean()), params.zoo[model].trained)
        else:
            empty.append(model)
    name, ctrl = control
    if ctrl is not None and ctrl.n_channels:
        positive = dv.unit_profile(ctrl.mean())  # presented as a network: voxels as units
        out[name] = (positive, None)
        shifted = positive.z() + block(params).control_shift * a
        out[NEGATIVE] = (dv.Profile(shifted, np.zeros(len(shifted))), None)
    return out, empty


#: The per-region tables (written even when every region is excluded).
REGION_TABLES = ("images", "subject_images", "subjects", "diagnostics", "generalisation",
                 "enrichment")


def _row(test: dv.Test, prefix: str = "") -> dict[str, float]:
    return {f"{prefix}{k}": v for k, v in test.as_dict().items()}


def _masks(labels: pd.DataFrame, pair: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    return (labels[pair[0]] == 1).to_numpy(), (labels[pair[1]] == 1).to_numpy()


def brain_profiles(brains: list[Responses]
                   ) -> tuple[dict[int | str, dv.Profile], list[int | str]]:
    """Each subject's profile over the shared images from its selected voxels (``brains``,
    aligned, each (n_images, voxels, repetitions)), those without a measurable signal left
    out, and the subjects left out."""
    profiles = {as_brain(b.system).subject: dv.brain_profile(b.data) for b in brains}
    no_signal = sorted(s for s, p in profiles.items() if not np.isfinite(p.z()).all())
    return {s: p for s, p in profiles.items() if s not in no_signal}, no_signal


def excluded(params: config.Params, category: str, region: str, n_subjects: int,
             no_signal: list[int | str]) -> dict[str, pd.DataFrame]:
    """The tables of a region with fewer than 2 subjects with signal: no test over subjects,
    its one diagnostics row says why."""
    label_a, label_b = block(params).diagnostics[category]
    return {"diagnostics": pd.DataFrame([{
        "region": region, "category": category, "label_a": label_a, "label_b": label_b,
        "system": "brain", "kind": "brain", "n_subjects": n_subjects,
        "subjects_without_signal": " ".join(map(str, no_signal)),
        "note": f"excluded: fewer than 2 subjects have selected voxels with a measurable "
                f"signal at threshold {params.threshold}"}])}


def diagnostic_masks(params: config.Params, category: str, region: str, labels: pd.DataFrame
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The images of the category's diagnostic labels A and B ((n_images,) bool each);
    InputError when either has fewer than 2."""
    label_a, label_b = block(params).diagnostics[category]
    a, b = _masks(labels, (label_a, label_b))
    if a.sum() < 2 or b.sum() < 2:
        raise InputError(f"{region}: {a.sum()} shared images labelled {label_a} and {b.sum()} "
                         f"labelled {label_b}; the contrast needs at least 2 of each "
                         f"(results/annotations/images.csv)")
    return a, b


def region_tables(params: config.Params, category: str, region: str, stimuli: np.ndarray,
                  brain: tuple[dict[int | str, dv.Profile], list[int | str]],
                  labels: pd.DataFrame,
                  found: tuple[dict[str, tuple[dv.Profile, bool | None]], list[str]],
                  pairs: tuple[tuple[str, str], ...]) -> dict[str, pd.DataFrame]:
    """Every table of one region (see the module docstring) on its shared images
    (``stimuli``, (n_images,)): ``brain``, its subjects' profiles and those without signal
    (:func:`brain_profiles`, at least 2 with); ``labels``, the images' annotation labels
    ((n_images, labels) of 1, 0, NaN); ``found``, the systems and the models without selective
    units (:func:`system_profiles`); ``pairs``, the annotation's label pairs."""
    d = block(params)
    level = params.comparison.ci_level
    label_a, label_b = d.diagnostics[category]
    profiles, no_signal = brain
    subjects = np.array(list(profiles))
    z = np.vstack([p.z() for p in profiles.values()])  # (S, n_img)
    average = dv.zscore(z.mean(axis=0))
    a, b = _masks(labels, (label_a, label_b))
    neither = ((labels[label_a] == 0) & (labels[label_b] == 0)).to_numpy()
    base = {"region": region, "category": category, "label_a": label_a, "label_b": label_b}
    systems, empty = found

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
            **base, "model": name, "image_id": stimuli, "brain_z": average.round(6),
            "network_z": nz.round(6), "residual": res.standardized.round(6),
            "divergent": res.divergent(d.residual_cutoff),
            **{label: labels[label].to_numpy() for label in labels.columns}}))
    diag_rows += [{**base, "system": m, "kind": "trained" if params.zoo[m].trained
                   else "untrained", "trained": params.zoo[m].trained,
                   "n_a": int(a.sum()), "n_b": int(b.sum()), "note": "no selective units"}
                  for m in empty]
    gen_rows, enr_rows = generalisation(params, base, stimuli, subjects, profiles, systems,
                                        labels, pairs)
    subject_images = pd.DataFrame({
        **base, "subject": np.repeat(subjects, len(stimuli)),
        "image_id": np.tile(stimuli, len(subjects)), "brain_z": z.ravel().round(6)})
    return {"images": pd.concat(image_rows, ignore_index=True) if image_rows else
            pd.DataFrame(), "subject_images": subject_images,
            "subjects": pd.DataFrame(subj_rows), "diagnostics": pd.DataFrame(diag_rows),
            "generalisation": pd.DataFrame(gen_rows), "enrichment": pd.DataFrame(enr_rows)}


def generalisation(params: config.Params, base: dict, stimuli: np.ndarray,
                   subjects: np.ndarray, profiles: dict[int | str, dv.Profile],
                   systems: dict[str, tuple[dv.Profile, bool | None]], labels: pd.DataFrame,
                   label_pairs: tuple[tuple[str, str], ...]) -> tuple[list[dict], list[dict]]:
    """Hypotheses found on the discovery part and tested on the held-out parts
    (analysis.stats.generalisation_parts), and the label enrichment of the discovery part's
    divergent images, for every discovery model. The candidates are every label pair of
    ``label_pairs``, the pre-specified diagnostic in its own orientation."""
    d = block(params)
    prespecified = (base["label_a"], base["label_b"])
    region = {"region": base["region"], "category": base["category"]}
    # candidate hypotheses: every label pair, the pre-specified one in its own orientation
    pairs = [prespecified if set(pair) == set(prespecified) else pair
             for pair in label_pairs]
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
            [p for p, keep in zip(brain, disc_subj, strict=True) if keep], trained[model], disc_img,
            candidates, d.residual_cutoff)]
    return gen_rows, enr_rows


def real_image_masks(spec: RealImageContrast, index: pd.DataFrame
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The images of a real stimulus set (``index``, one row per image) in the contrast's
    groups A and B ((n_images,) bool each); ParameterError naming the problem when the column
    is missing or a group has fewer than 2 images."""
    if spec.column not in index:
        raise ParameterError(f"divergence.real_images: {spec.set} has no column "
                             f"{spec.column!r} (columns: {list(index.columns)})")
    values = index[spec.column].astype(str).to_numpy()
    a, b = values == spec.a, values == spec.b
    if a.sum() < 2 or b.sum() < 2:
        raise ParameterError(f"divergence.real_images: {spec.set} has {a.sum()} "
                             f"images with {spec.column} = {spec.a!r} and {b.sum()} "
                             f"with {spec.b!r}; values: {sorted(set(values))}")
    return a, b


def real_image_row(spec: RealImageContrast, model: str, trained: bool, acts: np.ndarray,
                   mask: np.ndarray, a: np.ndarray, b: np.ndarray, level: float) -> dict:
    """One row of real_images.csv: the model's selective units' (``mask``, (units,) bool, of
    ``acts``, (n_images, units)) contrast A - B (Welch, over images; none without units)."""
    row = {"set": spec.set, "units": spec.units, "a": spec.a, "b": spec.b,
           "model": model, "trained": trained, "n_units": int(mask.sum()),
           "n_a": int(a.sum()), "n_b": int(b.sum())}
    if mask.sum():
        row.update(dv.welch(dv.unit_profile(acts[:, mask]).z(), a, b, level).as_dict())
    return row


def it_rows(categories: np.ndarray, human: dict[str, np.ndarray],
            networks: dict[str, tuple[bool, np.ndarray]]) -> list[dict]:
    """Human vs animal faces in the 92-image RDMs (``categories``, (92,) the images'
    categories): each human-IT subject (``human``: name -> (2, 4186) condensed session RDMs;
    the two-session mean) and each network's face units (``networks``: model -> (trained,
    (92, units) responses); correlation distance of the units standardized over the 92
    images)."""
    rows = []
    a, b = categories == "human face", categories == "nonhuman face"
    others = ~(a | b)
    for name, sessions in human.items():
        rows.append({"system": f"human IT {name}", "kind": "human_it",
                     **dv.rdm_group_separation(squareform(sessions.mean(axis=0)), a, b,
                                               others)})
    for model, (trained, x) in networks.items():
        rows.append({"system": model, "kind": "trained" if trained else "untrained",
                     **dv.rdm_group_separation(squareform(rdm(standardized_channels(x))), a, b,
                                               others)})
    return rows
