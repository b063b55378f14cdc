"""The demo's planted truth beside what the pipeline recovers from the noisy data.

The synthetic tiers know every voxel's truth (data/demo/truth/voxels.h5, written by
:func:`analysis.demo.write.write_voxel_truth`): its planted region, its selectivity and its
noise-free response to every shared image. A *planted* value here is the noise-free
counterpart of a measured one, computed on the same subjects, voxels and images, so that the
pipeline's estimate (with its interval) can be set beside it:

* selection: the planted region's size, and the share of the selected voxels that lie in it;
* reliability: each subject's ncsnr, 1 / noise SD, against the median ncsnr of its selected
  voxels;
* the human-human similarity per measure: the mean over subject pairs of the similarity of
  their noise-free profiles;
* the divergence's diagnostic contrast: the mean over subjects of the contrast of their
  noise-free standardized profiles.

Noise-free responses are weighted as the measured ones are: a measured response is z-scored
per voxel within each session, i.e. divided by the voxel's total SD, which is its signal SD
times sqrt(1 + noise_sd^2); the common factor does not change a correlation or a standardized
profile, so each voxel's truth is divided by its signal SD (:func:`scaled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from analysis.methods.profiles import rdm, sq_euclidean_rdm
from analysis.methods.similarity import pearson, rdm_similarity
from analysis.stats import divergence as dv
from analysis.stats.comparison import Method

#: The quantities of table.csv, in its order, and what each row holds.
QUANTITIES = {
    "region_size": "voxels of the planted region; recovered: selected voxels (mean, range)",
    "selected_in_region": "share of the selected voxels in the planted region (mean, range)",
    "ncsnr": "planted 1 / noise SD; recovered: median over the selected voxels (mean, range)",
    "human_human": "human-human similarity (detail: the measure); interval: the comparison's",
    "diagnostic_contrast": "label A minus label B (detail: 'A - B'); interval over subjects",
}
TABLE_COLUMNS = ["quantity", "region", "detail", "planted", "recovered", "low", "high",
                 "interval", "inside"]



@dataclass(frozen=True)
class VoxelTruth:
    """One simulated subject's truth.

    ijk (n_vox, 3) int grid coordinates; region (n_vox,) str, the planted region ('' for none);
    signal_sd (n_vox,) SD of the true response over all images; t (n_vox, n_domains) fLOC
    t-values; true (n_vox, n_images) noise-free responses to ``images`` (n_images,) ids;
    noise_sd: the subject's trial noise SD relative to the signal SD."""

    ijk: np.ndarray
    region: np.ndarray
    signal_sd: np.ndarray
    t: np.ndarray
    true: np.ndarray
    images: np.ndarray
    noise_sd: float

    def rows(self, ijk: np.ndarray) -> np.ndarray:
        """Row positions (n,) of the voxels at coordinates ``ijk`` (n, 3); ValueError naming
        the first coordinate the truth does not have."""
        index = {tuple(c): k for k, c in enumerate(self.ijk.tolist())}
        missing = [tuple(c) for c in np.asarray(ijk).tolist() if tuple(c) not in index]
        if missing:
            raise ValueError(f"voxel {missing[0]} ({len(missing)} in all) is not in the truth")
        return np.array([index[tuple(c)] for c in np.asarray(ijk).tolist()], dtype=np.int64)

    def scaled(self, rows: np.ndarray, stimuli: np.ndarray) -> np.ndarray:
        """(n_stimuli, n_rows): the noise-free responses of voxels ``rows`` to ``stimuli``
        (ids, in that order), each divided by its signal SD and centred over the stimuli (as
        z-scoring centres a measured voxel: no offset enters a correlation-distance RDM);
        ValueError naming a missing stimulus."""
        pos = {s: k for k, s in enumerate(self.images.tolist())}
        missing = [s for s in np.asarray(stimuli).tolist() if s not in pos]
        if missing:
            raise ValueError(f"stimulus {missing[0]} ({len(missing)} in all) is not in the "
                             "truth's shared images")
        cols = np.array([pos[s] for s in np.asarray(stimuli).tolist()], dtype=np.int64)
        x = (self.true[rows][:, cols] / self.signal_sd[rows, None]).T.astype(np.float64)
        return x - x.mean(axis=0)


def selection_shares(planted: np.ndarray, region: str) -> tuple[int, float]:
    """(selected voxels, share of them in the planted ``region``) for the planted regions
    (n_selected,) of a selection; NaN share for an empty selection."""
    n = len(planted)
    return n, float(np.mean(planted == region)) if n else float("nan")


def profile_similarity(x: np.ndarray, y: np.ndarray, measure: str, method: Method) -> float:
    """The similarity of two noise-free responses ((n_images, voxels) each, the same images)
    as the comparison measures it: univariate, Pearson r of the mean over voxels;
    multivariate, the RDMs' similarity (``method.similarity``) with the method's distance
    (squared Euclidean, which the cross-validated distance estimates without noise bias, or
    the correlation distance)."""
    if measure == "univariate":
        return pearson(x.mean(axis=1), y.mean(axis=1))
    d = sq_euclidean_rdm if method.distance == "crossval_euclidean" else rdm
    return rdm_similarity(d(x), d(y), method.similarity)


def human_human(truths: list[np.ndarray], measure: str, method: Method) -> float:
    """The planted human-human similarity: the mean over subject pairs of
    :func:`profile_similarity` of their noise-free responses (each (n_images, voxels));
    NaN with fewer than 2 subjects. (The pipeline's ratio of means weights pairs by their
    reliability; noise-free pairs all have reliability 1, so the plain mean is its
    counterpart.)"""
    values = [profile_similarity(a, b, measure, method) for a, b in combinations(truths, 2)]
    return float(np.mean(values)) if values else float("nan")


def contrast(truths: list[np.ndarray], a: np.ndarray, b: np.ndarray) -> float:
    """The planted diagnostic contrast: the mean over subjects of the contrast (mean over
    images ``a`` minus over ``b``, (n_images,) bool) of each subject's noise-free profile (mean
    over voxels) standardized over the images, as the divergence analysis standardizes a
    measured one (:class:`analysis.stats.divergence.Profile` without noise)."""
    z = [dv.Profile(x.mean(axis=1), np.zeros(len(x))).z() for x in truths]
    return float(np.mean([dv.contrast(p, a, b) for p in z]))


def table_row(quantity: str, region: str, detail: str | None, planted: float, recovered: float,
              low: float, high: float, interval: str) -> dict:
    """A table row, values to 10 significant digits (as the result tables: the last bits of a
    float differ between BLAS builds); ``interval``: 'ci' (the estimate's interval: ``inside``
    says whether it holds the planted value) or 'subjects' (the range over subjects; ``inside``
    not judged)."""
    inside = (bool(low <= planted <= high)
              if interval == "ci" and np.isfinite([planted, low, high]).all() else None)
    values = {k: float(f"{float(v):.10g}") for k, v in
              (("planted", planted), ("recovered", recovered), ("low", low), ("high", high))}
    return {"quantity": quantity, "region": region, "detail": detail or "", **values,
            "interval": interval, "inside": inside}


def subject_rows(subjects: pd.DataFrame, region: str) -> list[dict]:
    """A region's rows from its per-subject table (columns planted_voxels, selected,
    selected_in_region, planted_ncsnr, recovered_ncsnr): the planted region's size beside the
    selected voxels, the share of them in the planted region and the ncsnr, each recovered
    value with its range over subjects."""
    def spread(column: str) -> tuple[float, float, float]:
        return subjects[column].mean(), subjects[column].min(), subjects[column].max()

    return [table_row("region_size", region, None, subjects["planted_voxels"].mean(),
                      *spread("selected"), "subjects"),
            table_row("selected_in_region", region, None, np.nan,
                      *spread("selected_in_region"), "subjects"),
            table_row("ncsnr", region, None, subjects["planted_ncsnr"].mean(),
                      *spread("recovered_ncsnr"), "subjects")]


def summarise(table: pd.DataFrame, ci_level: float, reason: str | None) -> dict:
    """summary.json: whether the tier has a planted truth (``reason``: why not), the interval
    level, how many judged rows (:func:`table_row` with an interval) hold the planted value,
    those that do not, and every row."""
    judged = table[table["interval"] == "ci"].dropna(subset=["inside"])
    return {"available": reason is None, "reason": reason, "ci_level": ci_level,
            "n_judged": int(len(judged)), "n_inside": int(judged["inside"].astype(bool).sum()),
            "outside": [f"{r.quantity}, {r.region}{' ' + r.detail if r.detail else ''}"
                        for r in judged[~judged["inside"].astype(bool)].itertuples()],
            "rows": table.replace({np.nan: None}).to_dict(orient="records")}
