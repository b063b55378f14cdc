"""dvc.yaml against the code: every stage is a registered command whose code deps are exactly
the import closure of its module; outputs live where analysis.paths says; the threshold is read
only where selection happens."""

import ast
import copy
import re
from pathlib import Path

import yaml

from analysis import paths
from analysis.__main__ import COMMANDS
from scripts.code_deps import module_file, stage_deps

ROOT = Path(__file__).resolve().parents[1]
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text())
DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


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


def stages(raw: dict = DVC) -> dict:
    """dvc.yaml with foreach stages expanded (as `name@item`) from params.yaml."""
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


def _deps(stage: dict) -> list[str]:
    return [d if isinstance(d, str) else next(iter(d)) for d in stage.get("deps", [])]


def _outs(stage: dict) -> list[str]:
    return [o if isinstance(o, str) else next(iter(o)) for o in
            stage.get("outs", []) + stage.get("metrics", [])]


def _command(stage: dict) -> str:
    m = re.fullmatch(r"python -m analysis ([a-z0-9-]+)(?: [\w.-]+)?", stage["cmd"])
    assert m, stage["cmd"]
    return m.group(1)


def code_dep_problems(raw: dict) -> list[str]:
    """Stages whose code deps in dvc.yaml differ from the import closure of their module."""
    problems = []
    for name, stage in stages(raw).items():
        module = module_file(COMMANDS[_command(stage)][0])
        need = stage_deps(module)
        code = {d for d in _deps(stage) if d.startswith("analysis/")}
        for missing in sorted(need - code):
            problems.append(f"stage {name}: imports {missing} (through "
                            f"{module.relative_to(ROOT).as_posix()}) but dvc.yaml does not list "
                            "it in deps")
        for extra in sorted(code - need):
            problems.append(f"stage {name}: lists {extra} in deps but does not import it")
    return problems


def test_every_stage_is_a_thin_analysis_command():
    for name, stage in stages().items():
        command = _command(stage)
        assert command in COMMANDS, name
        module = COMMANDS[command][0]
        assert module.startswith("analysis.stages.") or re.fullmatch(
            r"analysis\.analyses\.\w+\.\w*stage", module), name


def test_code_deps_are_exactly_the_import_closure():
    problems = code_dep_problems(DVC)
    assert not problems, "\n".join(problems) + "\n(python -m scripts.code_deps --fix rewrites them)"


def test_a_missing_code_dep_is_named_with_its_stage():
    raw = copy.deepcopy(DVC)
    raw["rsa92"]["deps"].remove("analysis/methods/reliability.py")
    problems = code_dep_problems(raw)
    assert len(problems) == 1
    assert "stage rsa92" in problems[0] and "analysis/methods/reliability.py" in problems[0]


def test_stages_do_not_import_stages():
    for path in (ROOT / "analysis/stages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("analysis.stages"), path.name


def test_package_init_files_hold_no_code():
    """Closures leave __init__.py out; that is safe only while they hold just a docstring."""
    for path in (ROOT / "analysis").rglob("__init__.py"):
        body = ast.parse(path.read_text()).body
        for node in body[1:] if body and isinstance(body[0], ast.Expr) else body:
            assert isinstance(node, ast.Assign) and all(
                isinstance(t, ast.Name) and t.id.startswith("__") for t in node.targets), path


def test_outputs_are_the_paths_module_s():
    declared = {str(v) for v in vars(paths).values() if isinstance(v, Path)}
    for name, stage in stages().items():
        for out in _outs(stage):
            assert out in declared or str(Path(out).parent) in declared or any(
                d.startswith(f"{out}/") for d in declared), f"{name}: {out}"


def test_git_tracked_deps_exist():
    for name, stage in stages().items():
        for dep in _deps(stage):
            if dep.startswith(("analysis/", "manuscript/main")) or dep in (
                    "data/nsd", "data/sources.yaml", "data/published_reference.yaml"):
                assert (ROOT / dep).exists(), f"{name}: {dep}"


def test_params_used_by_stages_exist():
    zoo = yaml.safe_load((ROOT / "zoo.yaml").read_text())
    for stage in stages().values():
        for key in stage.get("params", []):
            if isinstance(key, dict):  # keys of another params file: zoo.yaml
                (name, keys), = key.items()
                assert name == "zoo.yaml"
                for k in keys:  # the whole zoo, or one entry
                    assert k == "zoo" or k.split(".")[1] in zoo["zoo"], k
            else:
                _lookup(str(key))  # KeyError names the missing parameter


def test_threshold_is_read_only_where_channels_are_selected():
    readers = {n for n, s in stages().items() if "threshold" in s.get("params", [])}
    assert readers == {"select-voxels", "select-units", "compare", "systems-map", "rsa92",
                       "encode", "reverse-predictivity", "divergence", "figures-brain",
                       "figures-profiles", "alignment-patterns", "planted-truth", "results",
                       "explore", "macros"}


#: A stage loads, calls its analysis and writes: longer modules hide an analysis in the stage.
MAX_STAGE_LINES = 150


def test_stage_modules_are_thin():
    stages_ = [*(ROOT / "analysis/stages").glob("*.py"),
               *(ROOT / "analysis/analyses").glob("*/*stage.py")]
    long = {p.relative_to(ROOT).as_posix(): n for p in stages_
            if (n := len(p.read_text().splitlines())) > MAX_STAGE_LINES}
    assert not long, f"stage modules over {MAX_STAGE_LINES} lines: {long}"
