"""The CI's per-variant summary (scripts/variant_summary.py) reads the committed results."""

import json

from analysis import paths
from scripts.variant_summary import lines


def test_summary_of_the_committed_results_names_every_companion_analysis():
    out = lines(json.loads(paths.RESULTS.read_text()))
    assert out[0].startswith("FFA univariate HH ")
    for prefix in ("reverse positive_control FFA: forward ", "encoding ", "alignment rsa ",
                   "ood "):
        assert any(line.startswith(prefix) for line in out), prefix


def test_summary_of_an_empty_run_has_only_the_comparison_lines():
    assert lines({}) == ["FFA univariate HH None HN None gap None", "excluded: nothing"]
