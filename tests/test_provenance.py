"""Provenance hashes match DVC's own; revision and parameters are recorded."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from analysis.report.provenance import dvc_md5, stage_provenance


def _dvc(*args, cwd):
    return subprocess.run([sys.executable, "-m", "dvc", *args], cwd=cwd, check=True,
                          capture_output=True, text=True, env={**os.environ,
                                                               "DVC_NO_ANALYTICS": "1"})


def test_dvc_md5_equals_dvc_add(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    _dvc("init", "-q", cwd=tmp_path)
    d = tmp_path / "data"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("alpha\r\n")  # text with CRLF: DVC 3 hashes raw bytes
    (d / "sub" / "b.bin").write_bytes(bytes(range(256)))
    (tmp_path / "single.csv").write_text("x,y\n1,2\n")
    _dvc("add", "data", "single.csv", cwd=tmp_path)
    for name in ("data", "single.csv"):
        meta = yaml.safe_load((tmp_path / f"{name}.dvc").read_text())
        assert dvc_md5(tmp_path / name) == meta["outs"][0]["md5"]


def test_stage_provenance_records_params_and_hashes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("in.csv").write_text("1\n")
    Path("params.yaml").write_text("threshold: 5\nother: {a: 1}\n")
    Path("dvc.yaml").write_text(yaml.safe_dump({"stages": {"fig": {
        "cmd": "python -m analysis fig", "deps": ["in.csv"], "params": ["threshold", "other.a"],
        "outs": ["out.pdf"]}}}))
    prov = stage_provenance("fig")
    assert prov["params"] == {"threshold": 5, "other.a": 1}
    assert prov["deps"] == {"in.csv": dvc_md5("in.csv")}
    assert prov["stage"] == "fig" and prov["cmd"] == "python -m analysis fig"
    assert json.dumps(prov)
