"""dvc.yaml: every stage is a registered `python -m analysis` command with existing deps."""

import re
from pathlib import Path

import yaml

from analysis.__main__ import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text())


def _lookup(expr: str):
    node = PARAMS
    for part in expr.split("."):
        node = node[part]
    return node


def _expand(text, item, key):
    if isinstance(text, dict):
        return {_expand(k, item, key): _expand(v, item, key) for k, v in text.items()}
    if isinstance(text, list):
        return [_expand(v, item, key) for v in text]
    if isinstance(text, str):
        return text.replace("${item}", str(item)).replace("${key}", str(key))
    return text


def _stages() -> dict:
    """dvc.yaml with foreach stages expanded (as `name@item`) from params.yaml."""
    raw = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    out = {}
    for name, stage in raw.items():
        if "foreach" in stage:
            values = _lookup(stage["foreach"].strip("${}"))
            pairs = values.items() if isinstance(values, dict) else [(v, v) for v in values]
            for key, item in pairs:
                out[f"{name}@{key}"] = _expand(stage["do"], item, key)
        else:
            out[name] = stage
    return out


def test_every_stage_is_a_thin_analysis_command():
    for name, stage in _stages().items():
        m = re.fullmatch(r"python -m analysis ([a-z0-9-]+)(?: [\w.-]+)?", stage["cmd"])
        assert m, f"stage {name}: {stage['cmd']}"
        assert m.group(1) in COMMANDS
        module = COMMANDS[m.group(1)]
        assert f"analysis/stages/{module}.py" in stage["deps"], name


def test_code_and_git_tracked_deps_exist():
    for name, stage in _stages().items():
        for dep in stage["deps"]:
            if dep.startswith("analysis/") or dep in ("data/nsd", "data/sources.yaml"):
                assert (ROOT / dep).exists(), f"{name}: {dep}"


def test_params_used_by_stages_exist():
    for name, stage in _stages().items():
        for key in stage.get("params", []):
            _lookup(str(key))  # KeyError names the missing parameter


def test_threshold_is_read_only_after_selection():
    readers = {n for n, s in _stages().items() if "threshold" in s.get("params", [])}
    assert readers and not readers & {"simulate", "prepare-brain", "stimuli", "nsd-images"}
    assert not any(n.startswith(("extract@", "preprocess@")) for n in readers)
