"""The NSD experimental design: which image each trial showed, and the shared images.

Id conventions (NSD's own): 10k ids are 1-based per subject; ``subjectim`` and ``sharedix`` hold
1-based 73k ids; everything this module returns uses **0-based 73k ids** (``nsdId``), the index
into the stimulus brick.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io

from analysis.errors import InputError


@dataclass(frozen=True)
class Design:
    """Contents of ``nsd_expdesign.mat``.

    masterordering: (n_trials,) 1-based 10k id shown on each trial (same order for all subjects).
    subjectim: (n_subjects, n_10k) 1-based 73k id of each subject's 10k ids.
    sharedix: (n_shared,) 1-based 73k ids of the shared images.
    """

    masterordering: np.ndarray
    subjectim: np.ndarray
    sharedix: np.ndarray


def load_design(path: Path) -> Design:
    """Read ``nsd_expdesign.mat`` and check the fields NSD documents."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"NSD design file not found: {path}. Copy nsd_expdesign.mat from "
                         "nsddata/experiments/nsd/ of the NSD bucket (see README, 'NSD tier').")
    try:
        mat = scipy.io.loadmat(path, squeeze_me=False)
    except Exception as exc:  # scipy raises several types for corrupt files
        raise InputError(f"cannot read {path} as a MATLAB file ({exc}); re-download it") from exc
    missing = [k for k in ("masterordering", "subjectim", "sharedix") if k not in mat]
    if missing:
        raise InputError(f"{path} lacks the variables {missing}; is it nsd_expdesign.mat?")
    order = np.asarray(mat["masterordering"]).astype(np.int64).ravel()
    subjectim = np.atleast_2d(np.asarray(mat["subjectim"]).astype(np.int64))
    sharedix = np.asarray(mat["sharedix"]).astype(np.int64).ravel()
    n10k = subjectim.shape[1]
    if order.min() < 1 or order.max() > n10k:
        raise InputError(f"{path}: masterordering must hold 1-based 10k ids in 1..{n10k}, "
                         f"found {order.min()}..{order.max()}")
    if subjectim.min() < 1 or sharedix.min() < 1:
        raise InputError(f"{path}: subjectim and sharedix must hold 1-based 73k ids (found a 0)")
    return Design(order, subjectim, sharedix)


def trial_table(design: Design, subject: int, n_sessions: int,
                trials_per_session: int) -> pd.DataFrame:
    """One row per trial the subject completed.

    Columns: trial (0-based over sessions), session (1-based), position (0-based within the
    session), tenk_id (1-based), nsd_id (0-based 73k id), rep (0-based repetition number).
    """
    n_trials = n_sessions * trials_per_session
    if n_trials > design.masterordering.size:
        raise InputError(f"subject {subject}: {n_sessions} sessions x {trials_per_session} trials "
                         f"exceed the {design.masterordering.size} trials in masterordering; "
                         "check sessions_per_subject and trials_per_session in params.yaml")
    if not 1 <= subject <= design.subjectim.shape[0]:
        raise InputError(f"subject {subject} is not in subjectim "
                         f"(it has {design.subjectim.shape[0]} subjects)")
    trial = np.arange(n_trials)
    tenk = design.masterordering[:n_trials]
    nsd_id = design.subjectim[subject - 1, tenk - 1] - 1
    rep = pd.Series(tenk).groupby(tenk).cumcount().to_numpy()
    return pd.DataFrame({
        "trial": trial,
        "session": trial // trials_per_session + 1,
        "position": trial % trials_per_session,
        "tenk_id": tenk,
        "nsd_id": nsd_id,
        "rep": rep,
    })


def shared_images(design: Design, trials: dict[int, pd.DataFrame], selection: str) -> np.ndarray:
    """Sorted 0-based 73k ids of the shared images kept for the analysis.

    selection: 'shared515' keeps shared images every subject saw 3 times (the paper's 515 in the
    real NSD); 'shared_any' keeps those every subject saw at least once (907 in the real NSD).
    ``trials`` maps each subject to its :func:`trial_table`.
    """
    need = {"shared515": 3, "shared_any": 1}
    if selection not in need:
        raise ValueError(f"shared_images must be one of {sorted(need)}, got {selection!r}")
    keep = set((design.sharedix - 1).tolist())
    for table in trials.values():
        counts = table.groupby("nsd_id").size()
        keep &= set(counts.index[counts >= need[selection]].tolist())
    return np.array(sorted(keep), dtype=np.int64)
