"""Adding an analysis is one folder, one dvc.yaml stage and one params.yaml block (issue "One
analysis, one folder"): a toy analysis written into a copy of this working tree runs in
``dvc repro``, appears in results.json, in the manuscript's macros, in the CLI and in
``python -m analysis dag``, and no other file changes but the outputs.

The copy shares the demo's data by hard links (read-only here: every stage writes through
analysis.atomic, which replaces files instead of writing into them). ``dvc repro --single-item``
runs the toy stage and the two stages that collect every analysis (results, macros) without
checking the rest of the pipeline, so the test needs the demo's outputs (``dvc repro``) but
not an up-to-date lock. Marked integration (DVC calls take seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration

#: The toy analysis: the mean count of selected voxels over subjects and regions, scaled.
FILES = {
    "__init__.py": '"""A toy analysis (tests/test_add_analysis.py)."""\n',
    "params.py": '''"""The toy block."""

from analysis import paths
from analysis.config import Block, Params

NAME = "toy"
OUTPUT = paths.ANALYSES / NAME


class Toy(Block):
    scale: float


def block(params: Params) -> Toy:
    value: Toy = getattr(params, NAME)
    return value
''',
    "stage.py": '''"""The toy stage: load -> compute -> write."""

import argparse

import pandas as pd

from analysis import config, paths
from analysis.analyses.toy.params import OUTPUT, block
from analysis.atomic import atomic_path, write_json


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    counts = pd.read_csv(paths.SELECTED_VOXELS / "counts.csv")
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        write_json({"mean_selected": float(counts["n_selected"].mean()) * block(params).scale},
                   tmp / "summary.json")
''',
    "report.py": '''"""The toy's results section and macros."""

from analysis.registry import MacroContext
from analysis.report.format import tex


def results(summary: dict) -> dict:
    return summary


def macros(section: dict, context: MacroContext) -> dict[str, str]:
    return {"resToyMeanSelected": tex(section.get("mean_selected"), 3)}
''',
    "spec.py": '''"""The toy, registered."""

from analysis.analyses.toy import report
from analysis.analyses.toy.params import NAME, Toy
from analysis.registry import Analysis

ANALYSIS = Analysis(name=NAME, command="toy", help="a toy analysis",
                    stage="analysis.analyses.toy.stage", params=Toy, results=report.results,
                    macros=report.macros)
''',
}

STAGE = """
  toy:
    cmd: python -m analysis toy
    deps:
      - data/selected
    params:
      - toy
    outs:
      - results/analyses/toy:
          cache: false
          persist: true
"""

#: Copied without their contents: the environment, git's and DVC's caches.
SKIP = {".venv", ".git", "data", ".hypothesis", ".pytest_cache"}


def _env() -> dict[str, str]:
    return {**os.environ, "DVC_NO_ANALYTICS": "1", "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t.invalid", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t.invalid",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def _run(args: list[str], cwd: Path) -> str:
    out = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True)
    assert out.returncode == 0, f"{args} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


def _digests(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file outside .git, .dvc and the data."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in {".git", ".dvc", "data"}}


def _copy(dst: Path) -> None:
    """The working tree (code, params, outputs) copied, the data hard-linked."""
    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == ROOT
        return {n for n in names if (top and n in SKIP) or n in {"cache", "tmp"} and
                Path(folder).name == ".dvc" or n == "__pycache__"}

    shutil.copytree(ROOT, dst, ignore=ignore, symlinks=True)
    subprocess.run(["cp", "-al", str(ROOT / "data"), str(dst / "data")], check=True)


@pytest.mark.skipif(not (ROOT / "results/results.json").is_file(),
                    reason="needs the demo's outputs: run `dvc repro` first")
def test_a_toy_analysis_runs_reports_and_shows_with_no_other_file_edited(tmp_path):
    proj = tmp_path / "repo"
    _copy(proj)
    _run(["git", "init", "-q"], proj)
    before = _digests(proj)
    folder = proj / "analysis/analyses/toy"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text)
    for name, text in (("dvc.yaml", STAGE), ("params.yaml", "\ntoy:\n  scale: 2.0\n")):
        path = proj / name
        path.write_text(path.read_text() + text)
    _run([sys.executable, "-m", "scripts.code_deps", "--fix"], proj)  # the toy's code deps
    assert "      - analysis/analyses/toy/stage.py\n" in (proj / "dvc.yaml").read_text()

    _run(["dvc", "repro", "--single-item", "toy", "results", "macros"], proj)

    counts = (proj / "data/selected/counts.csv").read_text().splitlines()[1:]
    expected = 2.0 * sum(int(r.split(",")[2]) for r in counts) / len(counts)
    results = json.loads((proj / "results/results.json").read_text())
    assert results["toy"]["mean_selected"] == pytest.approx(expected)
    assert results["reverse_predictivity"] == json.loads(
        (ROOT / "results/analyses/reverse_predictivity/summary.json").read_text())
    numbers = (proj / "manuscript/generated/numbers.tex").read_text()
    assert f"\\newcommand{{\\resToyMeanSelected}}{{{expected:.3f}}}" in numbers
    assert "a toy analysis" in _run([sys.executable, "-m", "analysis", "--help"], proj)
    dag = _run([sys.executable, "-m", "analysis", "dag", "results"], proj).splitlines()
    assert any(line.startswith("toy ") and "select-voxels" in line for line in dag), dag
    assert any(line.startswith("results ") and "toy" in line.split("<-")[1] for line in dag)

    after = _digests(proj)
    edited = {p for p in before if after.get(p) != before[p]}
    added = set(after) - set(before)
    outputs = {"dvc.lock", "results/results.json", "manuscript/generated/numbers.tex"}
    assert edited - outputs == {"dvc.yaml", "params.yaml"}, edited
    assert {p for p in added if not p.startswith(("results/analyses/toy/", ".gitignore"))} == {
        f"analysis/analyses/toy/{name}" for name in FILES}, added
