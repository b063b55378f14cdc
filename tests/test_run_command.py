"""The README's run command recomputes every number; its update command only what changed.

`make repro` forces every stage (committed results that match dvc.lock would otherwise be
skipped on a fresh clone); `make update` is a plain `dvc repro`. On a fresh clone the forced
dry run lists every stage of dvc.yaml (foreach stages expanded); the unforced one lists none
of the stages whose outputs are committed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _recipe(target: str) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    # -n: print the commands without running them
    out = subprocess.run(["make", "-n", target], cwd=ROOT,
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_make_repro_forces_every_stage_and_make_update_does_not():
    repro = [line for line in _recipe("repro").splitlines() if line.startswith("dvc ")]
    update = [line for line in _recipe("update").splitlines() if line.startswith("dvc ")]
    assert [line.split() for line in repro] == [["dvc", "repro", "--force"]]
    assert [line.split() for line in update] == [["dvc", "repro"]]


def _stages() -> set[str]:
    """Every stage of dvc.yaml with foreach stages expanded over params.yaml's values."""
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    out = set()
    for name, stage in stages.items():
        if "foreach" not in stage:
            out.add(name)
            continue
        over = params[re.fullmatch(r"\$\{(\w+)\}", stage["foreach"]).group(1)]
        out |= {f"{name}@{key}" for key in over}
    return out


@pytest.mark.integration
def test_on_a_fresh_clone_the_run_command_reruns_every_stage(tmp_path):
    clone = tmp_path / "clone"
    env = {**os.environ, "DVC_NO_ANALYTICS": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, env=env)
    forced = subprocess.run(["dvc", "repro", "--dry", "--force"], cwd=clone, env=env,
                            capture_output=True, text=True)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    ran = set(re.findall(r"Running stage '([^']+)'", forced.stdout))
    assert ran == _stages()
