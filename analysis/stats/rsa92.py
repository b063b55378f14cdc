"""The 92-image check (Kriegeskorte et al. 2008): human-IT RDMs against network RDMs.

Human data: 4 subjects x 2 sessions of 92x92 RDMs (1 - Pearson r of hIT voxel patterns). Each
subject's RDM is the mean of its two sessions; its reliability is the correlation between the
session RDMs stepped up to two sessions with Spearman-Brown. Only RDMs are public, so the
two-point extrapolation used for NSD cannot be applied; Spearman-Brown tends to underestimate
RDM reliability (analysis/stats/reliability.py), which makes corrected values somewhat too high,
for HH (corrected twice) more than for HN. HH: every pair of subjects, corrected by both
reliabilities; HN: every subject against a network RDM (noiseless), corrected by the subject's
reliability — the same pairing code as the NSD comparison, multivariate measure only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
from scipy.spatial.distance import squareform

from analysis.errors import InputError
from analysis.responses import BrainId, SystemId
from analysis.stats.comparison import Method, Profile, pair_table
from analysis.stats.reliability import spearman_brown
from analysis.stats.similarity import pearson

BRAIN_RDMS = "92_brainRDMs.mat"
REGION = "hIT"


def load_human_rdms(folder: Path) -> dict[str, np.ndarray]:
    """{subject name: (2, 4186) condensed session RDMs} from 92_brainRDMs.mat."""
    path = Path(folder) / BRAIN_RDMS
    if not path.is_file():
        raise InputError(f"{path} not found; fetch the kriegeskorte92 set (data/sources.yaml)")
    m = scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)["RDMs"]
    m = np.asarray(m).reshape(-1, 2)  # (subject, session)
    out = {}
    for row in m:
        name = str(row[0].name).split("|")[1].strip()
        out[name] = np.stack([squareform(np.asarray(r.RDM, dtype=np.float64), checks=False)
                              for r in row])
    return out


def human_reliability(sessions: np.ndarray) -> float:
    """Spearman-Brown reliability of the two-session mean RDM."""
    return float(spearman_brown(pearson(sessions[0], sessions[1]), 2))


def human_profiles(humans: dict[str, np.ndarray]) -> list[tuple[SystemId, Profile]]:
    """Each subject's mean RDM with its reliability (no univariate profile: RDMs only)."""
    return [(BrainId(s, REGION), Profile(np.array([]), v.mean(0), np.nan, human_reliability(v)))
            for s, v in sorted(humans.items())]


def compare(humans: dict[str, np.ndarray], nets: list[tuple[SystemId, np.ndarray]],
            similarity: str = "pearson") -> pd.DataFrame:
    """HH and HN pair table (multivariate) of the human RDMs and network RDMs (given RDMs:
    the set's correlation distance), compared with ``similarity`` (pearson or spearman)."""
    net_profiles = [(s, Profile(np.array([]), v, 1.0, 1.0)) for s, v in nets]
    return pair_table(human_profiles(humans), net_profiles, Method("correlation", similarity),
                      measures=("multivariate",))
