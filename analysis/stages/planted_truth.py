"""The synthetic tiers' planted truth beside what the pipeline recovers
(results/planted_truth/; the manuscript's planted-truth table).

For every compared region, on each subject's selected voxels (data/selected) and the shared
images: the planted region's size and the share of selected voxels that lie in it, the
subject's planted ncsnr (1 / noise SD) and the median ncsnr of its selected voxels; per region
and measure the planted human-human similarity (analysis.validation.planted) beside the
comparison's bias-corrected estimate and interval (results/comparison/stats.csv); per category's
main region the planted diagnostic contrast beside the divergence analysis's brain contrast and
its interval over subjects with the images fixed (results/analyses/divergence/diagnostics.csv).
The truth is data/demo/truth/voxels.h5 (written by `simulate`); a tier whose prepared stores
hold real data (nsd) has none, and the stage writes ``available: false`` with the reason.

Writes table.csv (one row per quantity, region and measure: planted, recovered, interval,
whether the interval holds the planted value), subjects.csv (per subject and region) and
summary.json.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError
from analysis.io import brain_store, selected, voxel_truth
from analysis.responses import Responses, as_brain, check_aligned
from analysis.stats.comparison import MEASURES, MIN_FEATURES, comparison_method
from analysis.validation.planted import (
    TABLE_COLUMNS,
    VoxelTruth,
    contrast,
    human_human,
    selection_shares,
    subject_rows,
    summarise,
    table_row,
)


def _rows(brain: Responses, truth: VoxelTruth, domains: list[str], contrast_name: str | None
          ) -> np.ndarray:
    """The truth's rows of a brain's selected voxels, checked: the store's fLOC t of the
    region's contrast must be the truth's (float32), else the store and the truth come from
    different simulations."""
    subject = int(as_brain(brain.system).subject)
    rows = truth.rows(brain_store.voxel_values(subject, "ijk", brain.channels))
    if contrast_name is not None and len(rows):
        stored = brain_store.voxel_t(subject, contrast_name, brain.channels)
        planted = truth.t[rows, domains.index(contrast_name)]
        if not np.allclose(stored, planted, rtol=1e-5, atol=1e-4):
            raise InputError(f"subject {subject}: the prepared store's fLOC t of {contrast_name} "
                             f"differs from {paths.VOXEL_TRUTH}'s: rerun `dvc repro` so both "
                             "come from the same simulation")
    return rows


def region_rows(params: config.Params, region: str, truths: dict[int, VoxelTruth],
                domains: list[str], stats: pd.DataFrame
                ) -> tuple[list[dict], list[dict], dict[int, np.ndarray], np.ndarray]:
    """One region's table rows (selection, ncsnr, human-human similarity), its per-subject
    rows, each subject's scaled noise-free responses (n_images, voxels) on its shared images
    (subjects with a selected voxel; the human-human similarity uses those with at least
    MIN_FEATURES, as the comparison does) and those images' ids (n_images,)."""
    contrast_name = params.roi_definitions[region].contrast
    subjects, scaled = [], {}
    brains = selected.voxels(params, region)
    check_aligned(brains)
    for brain in brains:
        s = int(as_brain(brain.system).subject)
        truth = truths[s]
        rows = _rows(brain, truth, domains, contrast_name)
        n_sel, share = selection_shares(truth.region[rows], region)
        ncsnr = brain_store.voxel_values(s, "ncsnr", brain.channels)
        subjects.append({"subject": s, "region": region,
                         "planted_voxels": int(np.sum(truth.region == region)),
                         "selected": n_sel, "selected_in_region": share,
                         "planted_ncsnr": 1.0 / truth.noise_sd,
                         "recovered_ncsnr": float(np.median(ncsnr)) if n_sel else np.nan})
        if n_sel:
            scaled[s] = truth.scaled(rows, brain.stimuli)
    table = subject_rows(pd.DataFrame(subjects), region)
    method = comparison_method(params.comparison)
    s = stats[(stats["roi"] == region) & (stats["layer_choice"] == "published")]
    for measure in MEASURES:
        found = s[s["measure"] == measure]
        est = found.iloc[0] if len(found) else {}
        table.append(table_row(
            "human_human", region, measure,
            human_human([x for x in scaled.values() if x.shape[1] >= MIN_FEATURES], measure,
                        method),
            est.get("hh_estimate_corrected", np.nan), est.get("hh_ci_low", np.nan),
            est.get("hh_ci_high", np.nan), "ci"))
    return table, subjects, scaled, brains[0].stimuli


def contrast_row(region: str, scaled: dict[int, np.ndarray], stimuli: np.ndarray,
                 diagnostics: pd.DataFrame, labels: pd.DataFrame) -> dict:
    """The planted diagnostic contrast of a main region beside the divergence analysis's brain
    contrast and its interval over subjects (images fixed), on the subjects that analysis
    kept (a selected voxel and a measurable signal); InputError when they disagree."""
    d = diagnostics[(diagnostics["region"] == region) & (diagnostics["system"] == "brain")]
    if d.empty or pd.isna(d.iloc[0].get("estimate")):
        return table_row("diagnostic_contrast", region, None, np.nan, np.nan, np.nan, np.nan,
                         "ci")
    r = d.iloc[0]
    listed = r.get("subjects_without_signal")  # "3 5"; read as a float when one subject
    gone = ({int(float(x)) for x in str(listed).split()} if pd.notna(listed) else set())
    kept = [x for s, x in scaled.items() if s not in gone]
    if len(kept) != int(r["n_subjects"]):
        raise InputError(f"{region}: {len(kept)} subjects with selected voxels and signal here, "
                         f"{int(r['n_subjects'])} in the divergence analysis: rerun `dvc repro`")
    lab = labels.loc[stimuli]
    a, b = (lab[r["label_a"]] == 1).to_numpy(), (lab[r["label_b"]] == 1).to_numpy()
    return table_row("diagnostic_contrast", region, f"{r['label_a']} - {r['label_b']}",
                     contrast(kept, a, b), r["estimate"], r["subjects_low"],
                     r["subjects_high"], "ci")


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    table, subjects, reason = [], [], None
    if not all(brain_store.is_synthetic(s) for s in params.subjects):
        reason = f"the {params.tier} tier's brain data are real: nothing is planted"
    else:
        fields, domains = voxel_truth.read()
        truths = {subject: VoxelTruth(**f) for subject, f in fields.items()}
        stats = pd.read_csv(paths.COMPARISON / "stats.csv")
        diagnostics = pd.read_csv(paths.ANALYSES / "divergence" / "diagnostics.csv")
        labels = pd.read_csv(paths.ANNOTATIONS / "images.csv").set_index("image_id")
        for region, category in params.compared_regions().items():
            rows, subs, scaled, stimuli = region_rows(params, region, truths, domains, stats)
            table += rows
            subjects += subs
            if region == params.main_region(category) and len(scaled) >= 2:
                table.append(contrast_row(region, scaled, stimuli, diagnostics, labels))
    frame = pd.DataFrame(table, columns=TABLE_COLUMNS)
    with atomic_path(paths.PLANTED_TRUTH) as tmp:
        tmp.mkdir()
        write_csv(frame, tmp / "table.csv")
        write_csv(pd.DataFrame(subjects), tmp / "subjects.csv")
        write_json(summarise(frame, params.comparison.ci_level, reason),
                   tmp / "summary.json")
