"""The 92-image check (Kriegeskorte et al. 2008): human-IT RDMs against network RDMs.

Human data: 4 subjects x 2 sessions of 92x92 RDMs (1 - Pearson r of hIT voxel patterns). Each
subject's RDM is the mean of its two sessions; its reliability is the correlation between the
session RDMs stepped up to two sessions with Spearman-Brown. Only RDMs are public, so the
two-point extrapolation used for NSD cannot be applied; Spearman-Brown tends to underestimate
RDM reliability (analysis/methods/reliability.py), which makes corrected values somewhat too high,
for HH (corrected twice) more than for HN. HH: every pair of subjects, corrected by both
reliabilities; HN: every subject against a network RDM (noiseless), corrected by the subject's
reliability — the same pairing code and ratio-of-means correction as the NSD comparison,
multivariate measure only. Network RDMs come from units standardized over the 92 images
(analysis.methods.profiles.standardized_channels).

Network variants are model x layer x units (all, or one category's selective units). Choosing
the best of them on the data that also score it is biased upward (winner's curse), so two
numbers are reported instead: HN at the zoo's pre-specified layer per category
(:func:`prespecified`, two-session mean RDMs), and a best layer chosen on one session and scored
on the other (:func:`crossval_layers`). A single session's RDM is corrected by the single-session
reliability: the Pearson r of the two session RDMs, not stepped up (:func:`session_reliability`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
from scipy.spatial.distance import squareform

from analysis.errors import InputError
from analysis.methods.reliability import spearman_brown
from analysis.methods.similarity import pearson
from analysis.responses import BrainId, SystemId
from analysis.stats.comparison import Method, Profile, pair_table, ratio_of_means

BRAIN_RDMS = "92_brainRDMs.mat"
REGION = "hIT"
#: The identity columns of a network variant in the tables here.
VARIANT = ["model", "trained", "layer", "units"]


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


def session_reliability(sessions: np.ndarray) -> float:
    """Reliability of one session's RDM: the Pearson r of the (2, n_pairs) session RDMs (the
    session split, not stepped up)."""
    return pearson(sessions[0], sessions[1])


def human_reliability(sessions: np.ndarray) -> float:
    """Spearman-Brown reliability of the two-session mean RDM ((2, n_pairs) sessions)."""
    return float(spearman_brown(session_reliability(sessions), 2))


def human_profiles(humans: dict[str, np.ndarray], session: int | None = None
                   ) -> list[tuple[SystemId, Profile]]:
    """Each subject's RDM with its reliability (no univariate profile: RDMs only): the mean of
    the (2, n_pairs) sessions with :func:`human_reliability` (``session`` None), or the RDM of
    session 0 or 1 alone with :func:`session_reliability`."""
    return [(BrainId(s, REGION),
             Profile(np.array([]), v.mean(0), np.nan, human_reliability(v)) if session is None
             else Profile(np.array([]), v[session], np.nan, session_reliability(v)))
            for s, v in sorted(humans.items())]


def compare(humans: dict[str, np.ndarray], nets: Sequence[tuple[SystemId, np.ndarray]],
            similarity: str = "pearson", session: int | None = None) -> pd.DataFrame:
    """HH and HN pair table (multivariate) of the human RDMs ({subject: (2, n_pairs)}) and
    network RDMs ((n_pairs,) each; given RDMs: the set's correlation distance), compared with
    ``similarity`` (pearson or spearman): the two-session mean RDMs (``session`` None) or one
    session's RDMs (0 or 1), each with its reliability (:func:`human_profiles`) and the pair's
    norm (analysis.stats.comparison.pair_table)."""
    net_profiles = [(s, Profile(np.array([]), v, 1.0, 1.0)) for s, v in nets]
    return pair_table(human_profiles(humans, session), net_profiles,
                      Method("correlation", similarity), measures=("multivariate",))


def hn_means(table: pd.DataFrame) -> pd.DataFrame:
    """Corrected HN similarity per network variant of a :func:`compare` table, the ratio of
    means over its subjects as in the NSD comparison: one row per variant, columns model,
    trained, layer, units (all or a category), hn."""
    hn = table[table["kind"] == "hn"].rename(columns={f"b_{k}": k for k in VARIANT})
    rows = [{**dict(zip(VARIANT, key, strict=True)), "hn": ratio_of_means(g["r"], g["norm"])}
            for key, g in hn.groupby(VARIANT, sort=True)]
    return pd.DataFrame(rows, columns=[*VARIANT, "hn"])


def prespecified(hn: pd.DataFrame, layers: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """HN at each model's pre-specified layer per category, with all its units and with that
    category's selective units.

    hn: :func:`hn_means` of the two-session mean RDMs; layers: model -> category -> layer (the
    zoo's). One row per model, category and unit set: columns model, trained, category, layer,
    units ('all' | 'selected'), hn (NaN where the variant is missing: too few selected units).
    """
    variants = hn.set_index(["model", "layer", "units"])["hn"]
    trained = hn.groupby("model")["trained"].first()
    rows = [{"model": m, "trained": bool(trained[m]), "category": c, "layer": lay,
             "units": kind, "hn": variants.get((m, lay, c if kind == "selected" else "all"),
                                               np.nan)}
            for m, by_cat in layers.items() if m in trained.index
            for c, lay in by_cat.items() for kind in ("all", "selected")]
    return pd.DataFrame(rows, columns=["model", "trained", "category", "layer", "units", "hn"])


def _choose(hn: pd.DataFrame) -> pd.Series:
    """The row of the highest hn (NaN counts as lowest; ties go to the later layer name)."""
    return hn.assign(score=hn["hn"].fillna(-np.inf)).sort_values(["score", "layer"]).iloc[-1]


def crossval_layers(session_hn: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    """The best layer per model and unit set chosen on one session and scored on the other.

    session_hn: :func:`hn_means` of each session's RDMs (``compare(..., session=0)`` and
    ``session=1``), corrected by the single-session reliability. For each direction, the layer
    with the highest mean HN on the choosing session's RDMs is scored on the other session's.
    The reliability (the session split) uses both sessions, but it scales every layer of a
    subject alike, so it does not tell the choice which layer scores well on the held-out
    session. One row per model, unit set and direction: columns model, trained, units,
    chosen_on (session 1 or 2), layer, hn_chosen (in-sample, biased upward), hn_held_out.
    """
    rows = []
    for k, (choose, score) in enumerate((session_hn, session_hn[::-1])):
        held_out = score.set_index(["model", "layer", "units"])["hn"]
        for (m, units), g in choose.groupby(["model", "units"], sort=True):
            best = _choose(g)
            rows.append({"model": m, "trained": bool(best["trained"]), "units": units,
                         "chosen_on": k + 1, "layer": best["layer"], "hn_chosen": best["hn"],
                         "hn_held_out": held_out.get((m, best["layer"], units), np.nan)})
    return pd.DataFrame(rows, columns=["model", "trained", "units", "chosen_on", "layer",
                                       "hn_chosen", "hn_held_out"])


def crossval_scores(folds: pd.DataFrame) -> pd.DataFrame:
    """Cross-validated HN per model and unit set: the mean held-out HN of the two directions of
    :func:`crossval_layers`. Columns model, trained, units, hn, layers (the layers chosen on
    session 1 and on session 2)."""
    out = folds.sort_values("chosen_on").groupby(["model", "trained", "units"], sort=True).agg(
        hn=("hn_held_out", "mean"), layers=("layer", list)).reset_index()
    return out.reindex(columns=["model", "trained", "units", "hn", "layers"])


def _groups(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of the trained and of the untrained networks (never pooled)."""
    trained = table["trained"].astype(bool)
    return {"trained": table[trained], "untrained": table[~trained]}


def layer_agreement(cv: pd.DataFrame) -> dict[str, list[int]]:
    """How often both sessions chose the same layer, of a :func:`crossval_scores` table:
    {'trained' | 'untrained': [model-unit sets with one layer chosen twice, model-unit sets]}."""
    return {g: [int(sum(len(set(c)) == 1 for c in sub["layers"])), len(sub)]
            for g, sub in _groups(cv).items()}


def group_means(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean HN per network group and unit set, of a :func:`prespecified` or
    :func:`crossval_scores` table: {'trained' | 'untrained': {'all' | 'selected': hn}}, the mean
    over the group's models of each model's mean over categories ('selected': every category's
    selective units). Trained and untrained networks are never pooled; NaN where a group has
    no value."""
    return {g: {units: float(sub[(sub["units"] == "all") == (units == "all")]
                             .groupby("model")["hn"].mean().mean())
                for units in ("all", "selected")}
            for g, sub in _groups(table).items()}
