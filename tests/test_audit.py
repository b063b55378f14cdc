"""The audit command: names stage, command, parameters, inputs and upstream stages; reports a
figure as stale after a parameter edit."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _sh(*cmd, cwd):
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PYTHONPATH": str(ROOT),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture
def mini(tmp_path):
    """raw.txt -> stage 'table' (param k) -> stage 'figure' -> figures/fig.txt"""
    _sh("git", "init", "-q", cwd=tmp_path)
    _sh(sys.executable, "-m", "dvc", "init", "-q", cwd=tmp_path)
    (tmp_path / "raw.txt").write_text("3\n")
    (tmp_path / "params.yaml").write_text("k: 2\n")
    py = sys.executable
    stages = {"stages": {
        "table": {"cmd": f"{py} -c \"import yaml; k=yaml.safe_load(open('params.yaml'))['k'];"
                         f" open('table.txt','w').write(str(k*int(open('raw.txt').read())))\"",
                  "deps": ["raw.txt"], "params": ["k"], "outs": ["table.txt"]},
        "figure": {"cmd": f"{py} -c \"import os; os.makedirs('figures', exist_ok=True);"
                          f" open('figures/fig.txt','w').write('fig '+open('table.txt').read())\"",
                   "deps": ["table.txt"], "outs": ["figures/fig.txt"]}}}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(stages))
    r = _sh(sys.executable, "-m", "dvc", "repro", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return tmp_path


def test_audit_prints_lineage_and_up_to_date(mini):
    r = _sh(sys.executable, "-m", "analysis", "audit", "figures/fig.txt", cwd=mini)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "stage:   figure" in out and "table.txt" in out and "<- table" in out
    assert "param k = 2" in out and "raw.txt" in out and "(raw input)" in out
    assert "UP TO DATE" in out


def test_audit_reports_stale_after_param_edit(mini):
    (mini / "params.yaml").write_text("k: 5\n")
    r = _sh(sys.executable, "-m", "analysis", "audit", "figures/fig.txt", cwd=mini)
    assert r.returncode == 1
    assert "STALE" in r.stdout and "table" in r.stdout and "'k'" in r.stdout


def test_audit_unknown_file(mini):
    r = _sh(sys.executable, "-m", "analysis", "audit", "nothing.pdf", cwd=mini)
    assert r.returncode == 2 and "not an output" in r.stderr
