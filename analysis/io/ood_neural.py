"""The decoding table for any system's responses: image domain, class and base image per row.

A labels table (for instance a CSV read with pandas) has one row per stimulus with columns
``stimulus_id``, ``domain`` (the image domain, e.g. original or silhouette), ``label`` (the class
name) and ``base`` (the base image that the stimulus is a transform of). :func:`table_for` puts
it in the order of a :class:`~analysis.responses.Responses`' rows, ready for
:func:`analysis.analyses.ood_decoding.decoding.decode` with ``responses.mean()`` as features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.responses import Responses

COLUMNS = ("stimulus_id", "domain", "label", "base")


def table_for(responses: Responses, labels: pd.DataFrame,
              source: str = "the labels table") -> pd.DataFrame:
    """One row per response row, in the responses' order: stimulus_id (the responses' own
    ids), base, domain, label (int: the class's position among the labels table's sorted class
    names, so every system read with one labels table codes classes alike) and class (the
    name). Stimulus ids are matched as strings (a CSV's 12 matches a store's "12"); rows of
    ``labels`` for stimuli the responses lack are ignored. ``source`` names the table (e.g. its
    file) in error messages."""
    missing = [c for c in COLUMNS if c not in labels.columns]
    if missing:
        raise InputError(f"{source} lacks column(s) {missing}; it needs "
                         f"{', '.join(COLUMNS)} (one row per stimulus)")
    ids = labels["stimulus_id"].astype(str)
    duplicated = ids[ids.duplicated()]
    if not duplicated.empty:
        raise InputError(f"stimulus id {duplicated.iloc[0]!r} appears twice in {source}; keep "
                         "one row per stimulus")
    wanted = pd.Series(np.asarray(responses.stimuli)).astype(str)
    repeated = wanted[wanted.duplicated()]
    if not repeated.empty:
        raise InputError(f"{responses.system} has stimulus id {repeated.iloc[0]!r} twice; "
                         "rebuild its responses with one row per stimulus")
    absent = wanted[~wanted.isin(ids)]
    if not absent.empty:
        raise InputError(f"stimulus id {absent.iloc[0]!r} of {responses.system} is not in "
                         f"{source} ({len(absent)} missing); add its {', '.join(COLUMNS[1:])}")
    rows = labels.assign(stimulus_id=ids).set_index("stimulus_id").loc[wanted]
    classes = np.sort(labels["label"].astype(str).unique())
    names = rows["label"].astype(str).to_numpy()
    return pd.DataFrame({"stimulus_id": np.asarray(responses.stimuli),
                         "base": rows["base"].to_numpy(), "domain": rows["domain"].to_numpy(),
                         "label": np.searchsorted(classes, names), "class": names})
