"""dvc.yaml: every stage is a registered `python -m analysis` command with existing deps."""

import re
from pathlib import Path

import yaml

from analysis.__main__ import COMMANDS

ROOT = Path(__file__).resolve().parents[1]


def _stages():
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def test_every_stage_is_a_thin_analysis_command():
    for name, stage in _stages().items():
        m = re.fullmatch(r"python -m analysis ([a-z0-9-]+)(?: .*)?", stage["cmd"])
        assert m, f"stage {name}: {stage['cmd']}"
        assert m.group(1) in COMMANDS
        module = COMMANDS[m.group(1)]
        assert f"analysis/stages/{module}.py" in stage["deps"], name


def test_code_and_git_tracked_deps_exist():
    for name, stage in _stages().items():
        for dep in stage["deps"]:
            if dep.startswith("analysis/") or dep == "data/nsd":
                assert (ROOT / dep).exists(), f"{name}: {dep}"


def test_params_used_by_stages_exist():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    for name, stage in _stages().items():
        for key in stage.get("params", []):
            node = params
            for part in str(key).split("."):
                assert part in node, f"{name}: param {key}"
                node = node[part]


def test_only_selection_and_later_stages_read_the_threshold():
    readers = {n for n, s in _stages().items() if "threshold" in s.get("params", [])}
    assert "simulate" not in readers and "prepare-brain" not in readers
    assert "select-voxels" in readers
