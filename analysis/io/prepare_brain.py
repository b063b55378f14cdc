"""NSD's implementation of the brain-dataset interface (analysis.io.brain_store): turn raw
NSD-format data into the per-subject stores that interface describes (image ids: the 0-based
index into NSD's 73k images; 3 repetitions), each checked by ``brain_store.check``.

Sessions are streamed one at a time and written straight into the store, so memory is bounded
by one session of betas (one chunk of trials for HDF5 betas).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis.config import BrainSource
from analysis.errors import InputError
from analysis.io import brain_store
from analysis.io.nsd import betas as nsd_betas
from analysis.io.nsd import layout
from analysis.io.nsd.design import Design, shared_images, trial_table
from analysis.io.nsd.volumes import check_grid, load_volume, roi_mask

N_REPS = 3


def subject_trials(design: Design, src: BrainSource) -> dict[int, pd.DataFrame]:
    """Trial tables of every subject in the source."""
    return {s: trial_table(design, s, n, src.trials_per_session)
            for s, n in src.sessions_per_subject.items()}


def _placement(table: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Rows of ``table`` whose image is in ``ids``, with the image's column index in 'col'."""
    pos = pd.Series(np.arange(ids.size), index=ids)
    hit = table[table["nsd_id"].isin(ids) & (table["rep"] < N_REPS)].copy()
    hit["col"] = pos.loc[hit["nsd_id"]].to_numpy()
    return hit


def prepare_subject(src: BrainSource, subject: int, trials: pd.DataFrame, shared: np.ndarray,
                    sharedix: np.ndarray, roi_defs: dict[str, dict[str, Any]], rois: list[str],
                    beta_format: str, out: Path) -> dict[str, int]:
    """Write one subject's store to ``out``; returns voxel counts per ROI."""
    root = src.root
    first, fmt = nsd_betas.find_session_file(root, subject, 1, beta_format)
    grid, _ = nsd_betas.session_grid(first, fmt)
    masks: dict[str, np.ndarray] = {}
    label_cache: dict[str, np.ndarray] = {}
    for roi in rois:
        d = roi_defs[roi]
        if d["volume"] not in label_cache:
            path = layout.roi_volume(root, subject, d["volume"])
            label_cache[d["volume"]] = load_volume(path, f"ROI volume '{d['volume']}'")
            check_grid(label_cache[d["volume"]].shape, grid, path, "ROI volume")
        masks[roi] = roi_mask(label_cache[d["volume"]], d["labels"])
        if not masks[roi].any():
            raise InputError(f"subject {subject}: ROI {roi} (labels {d['labels']} of "
                             f"{layout.roi_volume(root, subject, d['volume'])}) has no voxels")
    union = np.logical_or.reduce(list(masks.values()))
    ijk = np.argwhere(union)
    vox_of = -np.ones(grid, dtype=np.int64)
    vox_of[union] = np.arange(len(ijk))
    own = np.setdiff1d(np.unique(trials["nsd_id"]), sharedix - 1)
    n_sessions = src.sessions_per_subject[subject]
    with h5py.File(out, "w", track_order=True) as f:
        f.attrs["subject"] = subject
        f.attrs["synthetic"] = src.synthetic
        f.create_dataset("images/shared", data=shared, track_times=False)
        f.create_dataset("images/own", data=own, track_times=False)
        f.create_dataset("voxels/ijk", data=ijk.astype(np.int16), track_times=False)
        for contrast in layout.FLOC_DOMAINS:
            path = layout.floc_tmap(root, subject, contrast)
            t = load_volume(path, f"fLOC t-map '{contrast}'")
            check_grid(t.shape, grid, path, "fLOC t-map")
            f.create_dataset(f"voxels/t_{contrast}", data=t[union].astype(np.float32),
                             track_times=False)
        nc = load_volume(layout.ncsnr(root, subject), "ncsnr volume")
        check_grid(nc.shape, grid, layout.ncsnr(root, subject), "ncsnr volume")
        f.create_dataset("voxels/ncsnr", data=nc[union].astype(np.float32), track_times=False)
        for roi in rois:
            f.create_dataset(f"roi/{roi}", data=vox_of[masks[roi]], track_times=False)
        places = {"shared": _placement(trials, shared), "own": _placement(trials, own)}
        dsets = {name: f.create_dataset(
            f"responses/{name}", shape=(len(ijk), ids.size, N_REPS), dtype=np.float32,
            fillvalue=np.nan, chunks=(min(len(ijk), 512), max(1, min(ids.size, 64)), 1),
            track_times=False) for name, ids in (("shared", shared), ("own", own))}
        for ses in tqdm(range(1, n_sessions + 1), desc=f"prepare-brain subj{subject:02d}",
                        leave=False):
            path, sfmt = nsd_betas.find_session_file(root, subject, ses, beta_format)
            sgrid, n_trials = nsd_betas.session_grid(path, sfmt)
            if sgrid != grid:
                raise InputError(f"{path} has grid {sgrid}, session 1 has {grid}")
            if n_trials != src.trials_per_session:
                raise InputError(f"{path} has {n_trials} trials; expected "
                                 f"{src.trials_per_session} (trials_per_session in params.yaml)")
            betas = nsd_betas.read_session(path, sfmt, union)
            nsd_betas.check_values(betas, path, ses)
            z, _ = nsd_betas.zscore_session(betas)
            for name, hit in places.items():
                h = hit[hit["session"] == ses]
                for rep, g in h.groupby("rep"):
                    g = g.sort_values("col")  # h5py writes need increasing indices
                    dsets[name][:, g["col"].to_numpy(), rep] = z[:, g["position"].to_numpy()]
    brain_store.check(out, rois)
    return {roi: int(m.sum()) for roi, m in masks.items()}


def prepare(src: BrainSource, design: Design, roi_defs: dict[str, dict[str, Any]],
            rois: list[str], selection: str, beta_format: str, out_dir: Path
            ) -> tuple[np.ndarray, pd.DataFrame]:
    """Prepare every subject; returns the shared image ids and a voxel-count table."""
    trials = subject_trials(design, src)
    shared = shared_images(design, trials, selection)
    if shared.size == 0:
        raise InputError(f"no shared images pass the '{selection}' selection; check "
                         "sessions_per_subject in params.yaml")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for s in src.sessions_per_subject:
        counts = prepare_subject(src, s, trials[s], shared, design.sharedix, roi_defs, rois,
                                 beta_format, out_dir / f"{layout.subj(s)}.h5")
        rows += [{"subject": s, "roi": r, "n_voxels": n} for r, n in counts.items()]
    return shared, pd.DataFrame(rows)
