"""The rsa92 stage without the 92-image set in `supplementary_sets`: it records that it did not
run and why (the documented offline variant), instead of failing on the missing files."""

import argparse
import json

from tests.test_config import _raw, _write


def test_rsa92_without_the_set_records_not_run(tmp_path, monkeypatch):
    from analysis.stages import rsa92

    raw = _raw()
    raw["supplementary_sets"] = []
    _write(tmp_path, raw)
    monkeypatch.chdir(tmp_path)
    rsa92.run(argparse.Namespace(params=tmp_path / "params.yaml"))
    summary = json.loads((tmp_path / "results/rsa92/summary.json").read_text())
    assert summary["status"] == "not run" and "supplementary_sets" in summary["reason"]
    assert summary["best_network"] is None
    assert (tmp_path / "results/rsa92/similarities.csv").read_text().startswith("kind,")
