"""The rsa92 stage without the 92-image set in `supplementary_sets`: it records that it did not
run and why (the documented offline variant), instead of failing on the missing files, with the
same files and summary keys as a run, empty."""

import argparse
import json

import numpy as np

from analysis.responses import NetworkId, Selection
from analysis.stats.rsa92 import compare, crossval_layers, hn_means, prespecified
from tests.test_config import _raw, _write


def _ran_summary() -> dict:
    """The stage's summary of a small synthetic run (two models, two layers)."""
    from analysis.stages.rsa92 import summary

    rng = np.random.default_rng(0)
    humans = {s: rng.normal(size=(2, 50)) for s in "AB"}
    nets = [(NetworkId(m, lay, m == "t", Selection("floc", u, 7.0) if u else Selection()),
             rng.normal(size=50)) for m in ("t", "u") for lay in ("l1", "l2")
            for u in (None, "faces")]
    table = compare(humans, nets)
    pre = prespecified(hn_means(table), {m: {"faces": "l2"} for m in ("t", "u")})
    folds = crossval_layers(tuple(hn_means(compare(humans, nets, session=k)) for k in (0, 1)))
    return summary(humans, table, pre, folds, [])


def test_rsa92_without_the_set_records_not_run(tmp_path, monkeypatch):
    from analysis.stages import rsa92

    raw = _raw()
    raw["supplementary_sets"] = []
    _write(tmp_path, raw)
    monkeypatch.chdir(tmp_path)
    rsa92.run(argparse.Namespace(params=tmp_path / "params.yaml"))
    summary = json.loads((tmp_path / "results/rsa92/summary.json").read_text())
    assert summary["status"] == "not run" and "supplementary_sets" in summary["reason"]
    ran = _ran_summary()
    assert set(summary) == set(ran) | {"status", "reason"}
    assert not any(k.startswith("best") for k in summary)
    assert summary["prespecified_hn"] == {} and summary["crossval_layers"] == {}
    assert summary["prespecified_mean"] == {g: {"all": None, "selected": None}
                                            for g in ("trained", "untrained")}
    assert summary["crossval_mean"] == summary["prespecified_mean"]
    assert summary["hh_mean_corrected"] is None and summary["hh_range"] == [None, None]
    assert (tmp_path / "results/rsa92/similarities.csv").read_text().startswith("kind,")
    assert (tmp_path / "results/rsa92/crossval.csv").read_text().startswith("model,")


def test_a_run_summary_reports_no_best_of_variants():
    ran = _ran_summary()
    assert set(ran["prespecified_hn"]) == {f"{m}/faces/{u}" for m in ("t", "u")
                                           for u in ("all", "selected")}
    assert set(ran["crossval_layers"]) == {f"{m}/{u}" for m in ("t", "u")
                                           for u in ("all", "faces")}
    assert all(len(v) == 2 and set(v) <= {"l1", "l2"} for v in ran["crossval_layers"].values())
    assert ran["prespecified_layers"] == {m: {"faces": "l2"} for m in ("t", "u")}
    assert all(v is not None for g in ran["crossval_mean"].values() for v in g.values())
