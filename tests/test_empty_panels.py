"""A setting that selects nothing (e.g. threshold=1000) still draws every figure, with each
empty panel saying why instead of a blank or a crash."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.analyses.divergence import figure as figure6
from analysis.analyses.encoding import figure as encoding_figure
from analysis.analyses.encoding.compute import ACCURACY_COLUMNS
from analysis.analyses.reverse_predictivity import figure as reverse_figure
from analysis.analyses.reverse_predictivity.compute import (
    PAIR_COLUMNS,
    SUBJECT_COLUMNS,
    UNIT_COLUMNS,
)
from analysis.report.figures import figure3
from analysis.stats.comparison import pair_table

REGIONS = {"faces": "FFA", "bodies": "EBA"}


def _texts(fig: plt.Figure) -> str:
    out = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    plt.close(fig)
    return out.replace("\n", " ")


def test_figure3_without_pairs_says_why():
    sims = pair_table([], []).assign(layer_choice="published", roi="FFA", category="faces")
    fig = figure3.draw(sims, pd.DataFrame(),
                       pd.DataFrame(columns=["system", "kind", "x", "y"]), "faces",
                       list(REGIONS.values()), {}, {})
    text = _texts(fig)
    assert text.count("no pair to compare") == 2  # panels a and b
    assert "no subject or network with a profile" in text
    assert "fewer than 3 systems with a defined similarity" in text


def test_figure5_without_voxels_or_reference_says_why():
    fig = encoding_figure.draw_encoding(pd.DataFrame(columns=ACCURACY_COLUMNS),
                                        ["effnet_lite0"], REGIONS, "bn2", 0.05)
    text = _texts(fig)
    assert text.count("no subject has a selected voxel") == 4  # rows a, b of both regions
    assert text.count("nothing tested") == 2
    fig = reverse_figure.draw_reverse(pd.DataFrame(columns=SUBJECT_COLUMNS),
                                      pd.DataFrame(columns=PAIR_COLUMNS),
                                      pd.DataFrame(columns=UNIT_COLUMNS), ["effnet_lite0"],
                                      REGIONS)
    assert _texts(fig).count("no subject-to-subject reference") == 3


def test_figure6_marks_an_excluded_region():
    note = ("excluded: fewer than 2 subjects have selected voxels with a measurable signal at "
            "threshold 1000")
    diag = pd.DataFrame([{"region": r, "category": c, "label_a": "human_face",
                          "label_b": "animal_face", "system": "brain", "kind": "brain",
                          "n_subjects": 0, "note": note} for c, r in REGIONS.items()])
    empty = pd.DataFrame()
    fig = figure6.draw(empty, diag, empty, empty, empty, empty, REGIONS, "effnet_lite0", {}, 2.0,
                       {}, {})
    text = _texts(fig)
    assert text.count("excluded: fewer than 2 subjects") == 2 * len(REGIONS)  # panels a, b
    assert "no real stimulus set in this run" in text
