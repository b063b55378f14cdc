"""Atomic outputs: nothing half-written, and a stage killed mid-write (SIGKILL) leaves nothing
that changes `dvc status`; the next write removes its debris."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from analysis.atomic import atomic_path, write_json

ROOT = Path(__file__).resolve().parents[1]

WRITER = """
import sys, time
from analysis.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.mkdir()
    (tmp / "part.bin").write_bytes(b"x" * 1000)
    print("writing", flush=True)
    time.sleep(float(sys.argv[2]))
    (tmp / "done.txt").write_text("ok")
"""


def _env():
    return {**os.environ, "DVC_NO_ANALYTICS": "1", "PYTHONPATH": str(ROOT),
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t"}


def _sh(*cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)


def test_failed_block_leaves_the_old_output_and_no_debris(tmp_path):
    write_json({"a": 1}, tmp_path / "out.json")
    with pytest.raises(RuntimeError):
        with atomic_path(tmp_path / "out.json") as tmp:
            tmp.write_text("half")
            raise RuntimeError("stage failed")
    assert (tmp_path / "out.json").read_text() == '{\n  "a": 1\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_stale_staging_is_removed_by_the_next_write(tmp_path):
    (tmp_path / ".staging.out.abc123").mkdir()
    (tmp_path / ".staging.other.xyz").mkdir()
    write_json({}, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".staging.other.xyz", "out"]


def test_sigkill_mid_write_leaves_dvc_status_unchanged(tmp_path):
    """A stage's output folder sits inside a folder another stage depends on (as
    data/preprocessed/<config> inside data/preprocessed); killing its writer must not make DVC
    see a change."""
    _sh("git", "init", "-q", cwd=tmp_path)
    _sh(sys.executable, "-m", "dvc", "init", "-q", cwd=tmp_path)
    shutil.copyfile(ROOT / ".dvcignore", tmp_path / ".dvcignore")
    (tmp_path / "writer.py").write_text(WRITER)
    py = sys.executable
    stages = {"stages": {
        "make": {"cmd": f"{py} writer.py data/sets/a 0", "deps": ["writer.py"],
                 "outs": ["data/sets/a"]},
        "use": {"cmd": f"{py} -c \"import os; open('n.txt','w').write(str(len(os.listdir("
                       "'data/sets/a'))))\"", "deps": ["data/sets"], "outs": ["n.txt"]}}}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(stages))
    assert _sh(py, "-m", "dvc", "repro", cwd=tmp_path).returncode == 0
    before = _sh(py, "-m", "dvc", "status", "--json", cwd=tmp_path).stdout
    assert before.strip() == "{}"

    proc = subprocess.Popen([py, "writer.py", "data/sets/a", "60"], cwd=tmp_path, env=_env(),
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    debris = list((tmp_path / "data/sets").glob(".staging.a.*"))
    assert debris and (debris[0] / "a" / "part.bin").is_file()  # killed mid-write
    assert _sh(py, "-m", "dvc", "status", "--json", cwd=tmp_path).stdout == before

    start = time.time()
    assert _sh(py, "writer.py", "data/sets/a", "0", cwd=tmp_path).returncode == 0
    assert not list((tmp_path / "data/sets").glob(".staging.*")) and time.time() - start < 60


def test_a_read_only_output_folder_gives_one_line_naming_it(tmp_path, monkeypatch, capsys):
    """As a user without write permission sees it; root ignores permissions, so there the
    operating system's refusal is imitated where the staging directory is made."""
    import tempfile

    from analysis import __main__ as cli
    from analysis.stages import results

    folder = tmp_path / "figures"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        def refuse(prefix: str, dir: str) -> str:
            raise PermissionError(13, "Permission denied", os.path.join(dir, prefix + "x1y2"))
        monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(results, "run", lambda args: write_json({"a": 1}, folder / "a.json"))
    try:
        assert cli.main(["results"]) == 2
    finally:
        folder.chmod(0o755)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"'results' may not write {folder}:" in err[0] and ".staging" not in err[0]
    assert list(folder.iterdir()) == []


def test_every_pipeline_output_persists_through_a_failed_run():
    """DVC deletes a stage's outputs before running it unless they are persist outputs; every
    output of the pipeline is one (each stage writes atomically, so a failure keeps the old)."""
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    missing = []
    for name, stage in stages.items():
        stage = stage.get("do", stage)
        for out in stage.get("outs", []) + stage.get("metrics", []) + stage.get("plots", []):
            opts = next(iter(out.values())) if isinstance(out, dict) else {}
            if not opts.get("persist"):
                missing.append(f"{name}: {out}")
    assert not missing, missing
