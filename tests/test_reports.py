"""DVC's own reports (analysis/report/headline.py, vega_page.py, the `reports` stage):
headline metrics are numbers only (p-values too, so `dvc metrics diff` computes their change),
taken from the right entries of results.json; the plot tables carry the sweep's values; and
`dvc plots show` writes a page with no external script that renders every plot."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.report.headline import headline, threshold_sweep, unit_counts
from analysis.report.vega_page import page
from analysis.vocabulary import POOLED_TRAINED, POOLED_UNTRAINED

ROOT = Path(__file__).resolve().parents[1]
MAIN = {"faces": "FFA", "bodies": "EBA", "places": "PPA"}


def _leaves(tree: object) -> list[object]:
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    return [tree]


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads((ROOT / "results" / "results.json").read_text())


def test_headline_is_numbers_only_and_reads_the_pooled_trained_comparison(results):
    head = headline(results, MAIN)
    leaves = _leaves(head)
    assert 40 <= len(leaves) <= 150  # tens of numbers, not thousands
    assert all(isinstance(v, int | float) and not isinstance(v, bool) or v is None
               for v in leaves)
    for region in MAIN.values():
        for measure in ("univariate", "multivariate"):
            source = results["comparison"][f"{region}_{measure}_published"]
            entry = head["comparison"][region][measure]
            assert entry["gap"] == source["gap"] and entry["hh"] == source["hh"]
            assert entry["p"] == float(source["p"])  # the string '9.995e-04' as a number
            control = results["controls"][f"{region}_{measure}_positive_control"]
            assert entry["positive_control_gap"] == control["gap"]
            for model, gap in entry["gap_by_network"].items():
                assert gap == results["comparison_networks"][f"{region}_{measure}_{model}"]["gap"]
            assert POOLED_TRAINED not in entry["gap_by_network"]
    assert head["units_pct_selected"]["trained"]["faces"] == \
        results["units"]["pct_selected_last_layer_trained"]["faces"]


def test_headline_leaves_a_missing_value_empty_not_zero(results):
    broken = json.loads(json.dumps(results))
    broken["comparison"]["FFA_univariate_published"]["p"] = None
    del broken["comparison"]["EBA_multivariate_published"]
    head = headline(broken, MAIN)
    assert head["comparison"]["FFA"]["univariate"]["p"] is None
    assert head["comparison"]["EBA"]["multivariate"]["gap"] is None


def _gaps() -> pd.DataFrame:
    """A two-threshold sweep: FFA/EBA, both measures, pooled sets, another localizer and one
    model's own row (not in the plots), one excluded setting."""
    rows = []
    for t in (3, 5):
        for roi in ("FFA", "EBA"):
            for measure in ("univariate", "multivariate"):
                for nets, units in ((POOLED_TRAINED, 1000 / t), (POOLED_UNTRAINED, 100 / t),
                                    ("effnet_lite0", 1000 / t)):
                    for loc in ("floc", "localizer2"):
                        gap = None if (t, roi, nets) == (5, "EBA", POOLED_UNTRAINED) else \
                            t / 10 + (roi == "EBA") + (measure == "multivariate") / 100
                        rows.append({"threshold": t, "roi": roi, "localizer": loc,
                                     "networks": nets, "measure": measure,
                                     "mean_units": units, "mean_voxels": 50 / t,
                                     "gap_corrected": gap, "gap_ci_low": 0, "gap_ci_high": 1})
    return pd.DataFrame(rows)


def test_threshold_sweep_has_one_point_per_setting_of_the_pooled_sets():
    sweep = threshold_sweep(_gaps(), {"faces": "FFA", "bodies": "EBA"})
    assert set(sweep["series"]) == {"FFA trained", "FFA untrained", "EBA trained",
                                    "EBA untrained"}
    assert len(sweep) == 2 * 2 * 4 - 2  # EBA untrained at 5 excluded, in both measures
    row = sweep[(sweep["series"] == "EBA trained") & (sweep["threshold"] == 5)
                & (sweep["panel"] == "multivariate")]
    assert row["gap"].item() == pytest.approx(0.5 + 1 + 0.01)


def test_unit_counts_give_units_per_set_and_voxels_per_region():
    counts = unit_counts(_gaps(), {"faces": "FFA", "bodies": "EBA"})
    units = counts[counts["panel"] == "units"].set_index(["series", "threshold"])["count"]
    assert units[("faces trained", 3)] == pytest.approx(1000 / 3)
    assert units[("bodies untrained", 5)] == pytest.approx(20)
    voxels = counts[counts["panel"] == "voxels"]
    assert set(voxels["series"]) == {"faces (FFA)", "bodies (EBA)"}
    assert len(voxels) == 4 and voxels["count"].tolist().count(10) == 2


def test_the_page_inlines_the_bundle_and_refuses_one_it_cannot_hold():
    html = page("window.vegaEmbed = function () {};", "6", "6.4", "7")
    assert html.count("{plot_divs}") == 1 and "{scripts}" not in html
    assert "<script src" not in html and "window.vegaEmbed" in html
    with pytest.raises(ValueError, match="</script"):
        page("var s = '</script>';", "6", "6.4", "7")


def test_the_reports_stage_matches_its_committed_outputs(tmp_path, monkeypatch):
    """The committed metrics and plot tables are what the stage computes from the committed
    results (the stage's own code, run on the repository's results)."""
    params = config.load_params(ROOT / "params.yaml")
    main = {c: r for c in params.categories if (r := params.main_region(c))}
    results = json.loads((ROOT / "results" / "results.json").read_text())
    committed = json.loads((ROOT / "metrics" / "headline.json").read_text())
    assert committed == json.loads(json.dumps(headline(results, main)))
    gaps = pd.read_csv(ROOT / "results" / "robustness" / "gaps.csv")
    for name, table in (("threshold_sweep", threshold_sweep), ("unit_counts", unit_counts)):
        stored = pd.read_csv(ROOT / "metrics" / f"{name}.csv")
        pd.testing.assert_frame_equal(stored, table(gaps, main).reset_index(drop=True),
                                      check_dtype=False)


def test_dvc_plots_show_writes_a_page_that_renders_offline(tmp_path):
    """`dvc plots show` (the README's command) uses the configured page: no external script,
    and every plot's Vega-Lite spec renders (by the same Vega engine, vl-convert) with its
    series."""
    if not (ROOT / "metrics" / "vega_offline.html").exists():
        pytest.skip("metrics/vega_offline.html is a DVC output: run `dvc repro` first")
    vl_convert = pytest.importorskip("vl_convert")
    out = tmp_path / "plots"
    subprocess.run([sys.executable, "-m", "dvc", "plots", "show", "-o", str(out)], cwd=ROOT,
                   check=True, capture_output=True, text=True)
    html = (out / "index.html").read_text()
    assert not re.search(r"<script[^>]+src=", html)
    assert "cdn.jsdelivr" not in html
    specs = re.findall(r"var spec = (\{.*?\});\s*vegaEmbed", html, re.S)
    assert len(specs) == 2
    for spec in specs:
        svg = vl_convert.vegalite_to_svg(json.loads(spec))
        assert "FFA trained" in svg or "faces trained" in svg
