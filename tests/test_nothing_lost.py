"""Nothing committed is lost: a bad value or a Ctrl-C leaves the outputs and params.yaml as
they were (issue "Every allowed setting runs or fails by name").

A miniature DVC project (this repository's params.yaml and zoo.yaml, one stage that validates
them with analysis.config and writes its output with analysis.atomic, declared like the
pipeline's: ``cache: false``, ``persist: true``) shows the mechanism end to end with the real
``dvc`` and ``python -m analysis variant``; the pipeline's own dvc.yaml is checked to declare
every output the same way. Marked integration (each DVC call takes seconds).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration

STAGE = '''
import os, sys, time
from pathlib import Path
from analysis import config
from analysis.atomic import atomic_path

params = config.load_params()  # every stage validates first
with atomic_path(Path("results/out")) as tmp:
    tmp.mkdir()
    (tmp / "n_boot.txt").write_text(f"{params.comparison.n_boot} {params.comparison.seed}")
    Path(os.environ["STAGE_STARTED"]).write_text("1")
    time.sleep(float(os.environ.get("STAGE_SLEEP", "0")))
'''


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DVC_NO_ANALYTICS": "1", "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t.invalid", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t.invalid", "STAGE_STARTED": str(tmp_path / "started"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **extra}


def _sh(args: list[str], cwd: Path, env: dict[str, str], check: bool = True
        ) -> subprocess.CompletedProcess:
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and out.returncode:
        raise AssertionError(f"{args} failed:\n{out.stdout}\n{out.stderr}")
    return out


def _project(tmp_path: Path, persist: bool = True) -> Path:
    """A committed miniature DVC project whose one output holds comparison.n_boot."""
    proj = tmp_path / "proj"
    proj.mkdir()
    env = _env(tmp_path)
    for name in ("params.yaml", "zoo.yaml"):
        (proj / name).write_text((ROOT / name).read_text())
    (proj / "stage.py").write_text(STAGE)
    out = {"results/out": {"cache": False, **({"persist": True} if persist else {})}}
    (proj / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"work": {
        "cmd": "python stage.py", "deps": ["stage.py"],
        "params": ["comparison.n_boot", "comparison.seed"], "outs": [out]}}}))
    _sh(["git", "init", "-q"], proj, env)
    _sh(["dvc", "init", "-q"], proj, env)
    _sh(["dvc", "repro", "-q"], proj, env)
    _sh(["git", "add", "-A"], proj, env)
    _sh(["git", "commit", "-qm", "committed results"], proj, env)
    (tmp_path / "started").unlink()  # written by the first run; later runs write it again
    return proj


def _status(proj: Path, tmp_path: Path) -> str:
    return _sh(["git", "status", "--porcelain"], proj, _env(tmp_path)).stdout


def _bad_value(proj: Path) -> None:
    text = (proj / "params.yaml").read_text()
    assert "n_boot: 2000" in text
    (proj / "params.yaml").write_text(text.replace("n_boot: 2000", "n_boot: many", 1))


def test_a_bad_value_through_dvc_deletes_nothing(tmp_path):
    proj = _project(tmp_path)
    before = (proj / "results/out/n_boot.txt").read_text()
    _bad_value(proj)
    run = _sh(["dvc", "repro"], proj, _env(tmp_path), check=False)
    assert run.returncode != 0
    assert "params.yaml: comparison.n_boot = 'many'" in run.stdout + run.stderr
    assert (proj / "results/out/n_boot.txt").read_text() == before
    assert _status(proj, tmp_path).split() == ["M", "params.yaml"]


def test_without_persist_dvc_would_delete_the_committed_output(tmp_path):
    """The control of the test above: the same run with a plain output loses it."""
    proj = _project(tmp_path, persist=False)
    _bad_value(proj)
    assert _sh(["dvc", "repro"], proj, _env(tmp_path), check=False).returncode != 0
    assert not (proj / "results/out").exists()
    assert " D results/out/n_boot.txt" in _status(proj, tmp_path)


def test_variant_rejects_a_bad_value_before_dvc_changes_anything(tmp_path):
    proj = _project(tmp_path)
    committed = (proj / "params.yaml").read_bytes()
    run = _sh([sys.executable, "-m", "analysis", "variant", "-S", "comparison.n_boot=many"],
              proj, _env(tmp_path), check=False)
    assert run.returncode == 2
    assert "params.yaml: comparison.n_boot = 'many': Input should be a valid integer" in \
        run.stderr
    assert "Traceback" not in run.stderr
    assert (proj / "params.yaml").read_bytes() == committed
    assert _status(proj, tmp_path) == ""


def test_an_interrupted_variant_leaves_outputs_and_params_as_committed(tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while the stage
    runs: the previous output stays, params.yaml is restored byte for byte."""
    proj = _project(tmp_path)
    committed = (proj / "params.yaml").read_bytes()
    before = (proj / "results/out/n_boot.txt").read_text()
    # a terminal's Ctrl-C: SIGINT at its default (a shell without job control, e.g. CI started
    # in the background, would hand it down ignored), sent to the whole process group
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "variant", "-S",
                             "comparison.seed=987654"], cwd=proj,
                            env=_env(tmp_path, STAGE_SLEEP="60"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "started").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the stage never started"
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0
    assert "params.yaml is back as it was" in err.strip().splitlines()[-1]
    assert (proj / "params.yaml").read_bytes() == committed
    assert (proj / "results/out/n_boot.txt").read_text() == before
    assert _status(proj, tmp_path) == ""
